import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { WRITE_ROUTES } from '../../../../lib/api/v1/routes';

export const PATCH = apiEndpoint(WRITE_ROUTES.rescheduleMaintenance);
export const ALL = noEndpoint;
