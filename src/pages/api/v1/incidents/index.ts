import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { WRITE_ROUTES } from '../../../../lib/api/v1/routes';

export const GET = apiEndpoint(WRITE_ROUTES.listDrafts);
export const POST = apiEndpoint(WRITE_ROUTES.openIncident);
export const ALL = noEndpoint;
