import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { PAGE_ROUTES } from '../../../../lib/api/v1/page-routes';

export const PATCH = apiEndpoint(PAGE_ROUTES.editPage);
export const DELETE = apiEndpoint(PAGE_ROUTES.removePage);
export const ALL = noEndpoint;
