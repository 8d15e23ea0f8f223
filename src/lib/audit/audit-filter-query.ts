import type { AuditFilter } from './list-audit';

/** The filter as the page's query string reads it. */
export function readAuditFilter(q: URLSearchParams): AuditFilter {
  return { actor: q.get('actor') || undefined, kind: q.get('kind') || undefined, from: q.get('from') || undefined, to: q.get('to') || undefined };
}

/** The same filter as a query string, for paging and export links that keep it. */
export function auditFilterQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) if (value) q.set(key, value);
  const s = q.toString();
  return s ? `?${s}` : '';
}
