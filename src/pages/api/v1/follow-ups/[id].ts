import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { FOLLOW_UP_ROUTES } from '../../../../lib/api/v1/follow-up-routes';

export const PATCH = apiEndpoint(FOLLOW_UP_ROUTES.changeFollowUp);
export const ALL = noEndpoint;
