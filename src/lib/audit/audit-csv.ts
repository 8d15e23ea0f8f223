import type { Locale } from '../i18n/messages';
import { formatDateTime } from '../i18n/format';
import { csvDocument } from '../csv';
import { auditActionLabel } from './audit-labels';
import type { AuditRow } from './list-audit';

/** The audit log as CSV, each time in UTC and in the site's zone. */
export function auditCsv(rows: Iterable<AuditRow>, locale: Locale, timeZone: string): string {
  const header = ['time_utc', `time_${timeZone}`, 'person', 'action', 'what', 'entity_type', 'entity_id', 'entity_name', 'before', 'after'];
  return csvDocument(
    header,
    (function* () {
      for (const r of rows)
        yield [
          new Date(r.at).toISOString(),
          formatDateTime(r.at, locale, timeZone),
          r.actorLabel,
          r.action,
          auditActionLabel(locale, r.action),
          r.entityType,
          r.entityId,
          r.entityName,
          r.before,
          r.after,
        ];
    })(),
  );
}
