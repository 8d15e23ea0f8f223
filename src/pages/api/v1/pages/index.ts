import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { PAGE_ROUTES } from '../../../../lib/api/v1/page-routes';

export const GET = apiEndpoint(PAGE_ROUTES.listPages);
export const POST = apiEndpoint(PAGE_ROUTES.addPage);
export const ALL = noEndpoint;
