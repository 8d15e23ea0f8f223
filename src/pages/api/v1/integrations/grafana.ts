import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { WRITE_ROUTES } from '../../../../lib/api/v1/routes';

export const POST = apiEndpoint(WRITE_ROUTES.grafana);
export const ALL = noEndpoint;
