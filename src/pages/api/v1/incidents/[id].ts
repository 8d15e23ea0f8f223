import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { WRITE_ROUTES } from '../../../../lib/api/v1/routes';

export const GET = apiEndpoint(WRITE_ROUTES.readIncident);
export const PATCH = apiEndpoint(WRITE_ROUTES.editIncident);
export const ALL = noEndpoint;
