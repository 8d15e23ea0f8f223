/** What a plain HTML form can send; other types need a script, which another site's page may not send here without CORS. */
const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request may be a form that another site's page made a browser
 * send with the staff member's cookie: a write whose Origin is not this
 * site's, sent as a form type or with no type at all. A request carrying a
 * bearer token is never one: no form can set Authorization, and a script on
 * another site could only with a CORS preflight this site never grants.
 */
export function isCrossSiteForm(request: Request, siteOrigin: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (/^Bearer\s/i.test(request.headers.get('authorization') ?? '')) return false;
  if (request.headers.get('origin') === siteOrigin) return false;
  const type = request.headers.get('content-type');
  return type === null || FORM_CONTENT_TYPES.some((form) => type.toLowerCase().includes(form));
}
