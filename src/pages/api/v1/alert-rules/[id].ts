import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { RULE_ROUTES } from '../../../../lib/api/v1/rule-routes';

export const GET = apiEndpoint(RULE_ROUTES.readRule);
export const PATCH = apiEndpoint(RULE_ROUTES.editRule);
export const DELETE = apiEndpoint(RULE_ROUTES.deleteRule);
export const ALL = noEndpoint;
