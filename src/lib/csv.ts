import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab
 * or return before one) is kept as text with a leading apostrophe: the texts
 * exported were typed by people, some of them outside.
 */
function inert(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Records as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read Japanese right). */
export function csvDocument(header: string[], rows: Iterable<(string | null)[]>): string {
  const records: string[][] = [header];
  for (const row of rows) records.push(row.map(inert));
  return '\uFEFF' + stringify(records, { record_delimiter: '\r\n' });
}

/** The headers that make a browser save a CSV answer as a dated file instead of showing it. */
export function csvDownloadHeaders(name: string, now: number): Record<string, string> {
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="shirase-${name}-${new Date(now).toISOString().slice(0, 10)}.csv"`,
    'cache-control': 'no-store',
  };
}
