import { stringify } from 'csv-stringify/sync';
import type { Locale } from '../i18n/messages';
import { formatDateTime } from '../i18n/format';
import { auditActionLabel } from './audit-labels';
import type { AuditRow } from './list-audit';

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab
 * or return before one) is kept as text with a leading apostrophe: names and
 * texts in the log were typed by people, some of them outside.
 */
function inert(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The audit log as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read Japanese right). */
export function auditCsv(rows: Iterable<AuditRow>, locale: Locale, timeZone: string): string {
  const records: string[][] = [['time_utc', `time_${timeZone}`, 'person', 'action', 'what', 'entity_type', 'entity_id', 'entity_name', 'before', 'after']];
  for (const r of rows) {
    records.push(
      [new Date(r.at).toISOString(), formatDateTime(r.at, locale, timeZone), r.actorLabel, r.action, auditActionLabel(locale, r.action), r.entityType, r.entityId, r.entityName, r.before, r.after].map(inert),
    );
  }
  return '\uFEFF' + stringify(records, { record_delimiter: '\r\n' });
}
