import { apiEndpoint, noEndpoint } from '../../../../lib/api/v1/endpoint';
import { RULE_ROUTES } from '../../../../lib/api/v1/rule-routes';

export const GET = apiEndpoint(RULE_ROUTES.listRules);
export const POST = apiEndpoint(RULE_ROUTES.createRule);
export const ALL = noEndpoint;
