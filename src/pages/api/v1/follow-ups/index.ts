import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { FOLLOW_UP_ROUTES } from '../../../../lib/api/v1/follow-up-routes';

export const GET = apiEndpoint(FOLLOW_UP_ROUTES.listFollowUps);
export const POST = apiEndpoint(FOLLOW_UP_ROUTES.addFollowUp);
export const ALL = noEndpoint;
