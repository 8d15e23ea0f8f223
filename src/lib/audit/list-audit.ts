import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { auditLog } from '../../../db/schema';
import { zonedTimeToUtc } from '../time';

export interface AuditFilter {
  actor?: string;
  /** The first part of an action, such as `incident` or `component`. */
  kind?: string;
  /** `YYYY-MM-DD` in the page's zone. */
  from?: string;
  to?: string;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayStart(day: string | undefined, timeZone: string): number | undefined {
  const m = day ? DAY_PATTERN.exec(day) : null;
  return m ? zonedTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, timeZone) : undefined;
}

/** The newest audit entries matching the filter; malformed filter values are ignored. */
export function listAudit(db: Db, filter: AuditFilter, timeZone: string, limit = 200) {
  const where: SQL[] = [];
  if (filter.actor) where.push(eq(auditLog.actorLabel, filter.actor));
  if (filter.kind && /^[a-z_]+$/.test(filter.kind)) where.push(like(auditLog.action, `${filter.kind}.%`));
  const from = dayStart(filter.from, timeZone);
  if (from !== undefined) where.push(gte(auditLog.at, from));
  const to = dayStart(filter.to, timeZone);
  if (to !== undefined) where.push(lt(auditLog.at, to + 86_400_000));
  return db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(limit).all();
}

export function auditActors(db: Db): string[] {
  return db.selectDistinct({ label: auditLog.actorLabel }).from(auditLog).all().map((r) => r.label).sort();
}

export const AUDIT_KINDS = ['incident', 'maintenance', 'component', 'group', 'template', 'user', 'token'] as const;
