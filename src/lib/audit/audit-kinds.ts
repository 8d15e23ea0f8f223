import { sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../../../db/schema';

/**
 * What the audit log can be filtered by. Every entry belongs to exactly one
 * kind: maintenance is told apart from incidents by the entry's incident
 * (its updates are logged as `incident.*` actions), and sign-ins from the
 * other changes to staff accounts.
 */
export const AUDIT_KINDS = [
  'incidents',
  'maintenance',
  'components',
  'postmortems',
  'subscribers',
  'templates',
  'staff',
  'sign_ins',
  'tokens',
  'checks',
  'alerts',
  'uptime',
  'pages',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The incident an `incident.*` entry is about: the entity itself, or the incident of the update it names. */
const incidentOfEntry = sql`coalesce(
  (select i.id from incidents i where i.id = ${auditLog.entityId}),
  (select u.incident_id from incident_updates u where u.id = ${auditLog.entityId}),
  json_extract(${auditLog.before}, '$.incidentId')
)`;
const aboutMaintenance = sql`(select kind from incidents where id = ${incidentOfEntry}) = 'maintenance'`;

export function auditKindCondition(kind: AuditKind): SQL {
  switch (kind) {
    case 'incidents':
      // Drafts are incidents not yet opened (maintenance has none).
      return sql`((${auditLog.action} like 'incident.%' and not coalesce(${aboutMaintenance}, 0)) or ${auditLog.action} like 'draft.%')`;
    case 'maintenance':
      return sql`(${auditLog.action} like 'maintenance.%' or (${auditLog.action} like 'incident.%' and coalesce(${aboutMaintenance}, 0)))`;
    case 'components':
      return sql`(${auditLog.action} like 'component.%' or ${auditLog.action} like 'group.%')`;
    case 'postmortems':
      return sql`${auditLog.action} like 'postmortem.%'`;
    case 'subscribers':
      return sql`(${auditLog.action} like 'subscriber.%' or ${auditLog.action} like 'webhook.%' or ${auditLog.action} like 'chat.%')`;
    case 'templates':
      return sql`${auditLog.action} like 'template.%'`;
    case 'staff':
      return sql`(${auditLog.action} like 'user.%' and ${auditLog.action} <> 'user.sign_in')`;
    case 'sign_ins':
      return sql`${auditLog.action} = 'user.sign_in'`;
    case 'tokens':
      return sql`${auditLog.action} like 'token.%'`;
    case 'checks':
      return sql`${auditLog.action} like 'check.%'`;
    case 'alerts':
      // What alerts did on their own, and the rules that decide it.
      return sql`(${auditLog.action} like 'alerts.%' or ${auditLog.action} like 'alert_rule.%')`;
    case 'uptime':
      // SLA targets and corrections to the status history.
      return sql`${auditLog.action} like 'uptime.%'`;
    case 'pages':
      return sql`${auditLog.action} like 'page.%'`;
  }
}

export function isAuditKind(value: string | undefined): value is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(value ?? '');
}
