import { noEndpoint } from '../../../lib/api/v1/endpoint';

// Paths no route under /api/v1 has: the same JSON NOT_FOUND as a method a route lacks.
export const ALL = noEndpoint;
