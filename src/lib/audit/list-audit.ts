import { and, count, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import {
  alertRules,
  apiTokens,
  auditLog,
  checks,
  componentGroups,
  components,
  incidentDrafts,
  incidentUpdates,
  incidents,
  subscribers,
  updateTemplates,
  users,
  webhooks,
} from '../../../db/schema';
import { zonedTimeToUtc } from '../time';
import { auditKindCondition, isAuditKind } from './audit-kinds';
import { audiencesFor } from './audit-audience';
import type { Role } from '../auth/users';

export interface AuditFilter {
  actor?: string;
  /** One of AUDIT_KINDS. */
  kind?: string;
  /** `YYYY-MM-DD` in the page's zone. */
  from?: string;
  to?: string;
}

export const AUDIT_PAGE_SIZE = 50;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayStart(day: string | undefined, timeZone: string): number | undefined {
  const m = day ? DAY_PATTERN.exec(day) : null;
  return m ? zonedTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, timeZone) : undefined;
}

/** Every query of the log goes through here, so a reader never sees, counts or exports an entry outside their audience. */
function conditions(filter: AuditFilter, timeZone: string, reader: Role): SQL | undefined {
  const where: SQL[] = [inArray(auditLog.audience, audiencesFor(reader))];
  if (filter.actor) where.push(eq(auditLog.actorLabel, filter.actor));
  if (isAuditKind(filter.kind)) where.push(auditKindCondition(filter.kind));
  const from = dayStart(filter.from, timeZone);
  if (from !== undefined) where.push(gte(auditLog.at, from));
  const to = dayStart(filter.to, timeZone);
  if (to !== undefined) where.push(lt(auditLog.at, to + 86_400_000));
  return and(...where);
}

export type AuditRow = typeof auditLog.$inferSelect & {
  /** What the entry is about, by name (an incident's name, an account's address…), when it still exists. */
  entityName: string | null;
  /** The admin page of that thing, when there is one. */
  entityHref: string | null;
};

/** Names for the entries' subjects, one query per kind of thing on the page. */
function nameEntities(db: Db, rows: (typeof auditLog.$inferSelect)[]): AuditRow[] {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.entityType === type && r.entityId).map((r) => r.entityId!))];
  const named = new Map<string, { name: string; href: string | null }>();
  const lookup = <T extends { id: string; name: string }>(type: string, read: (list: string[]) => T[], href: (row: T) => string | null) => {
    const list = ids(type);
    if (list.length > 0) for (const row of read(list)) named.set(`${type}:${row.id}`, { name: row.name, href: href(row) });
  };
  lookup(
    'incident',
    (l) => db.select({ id: incidents.id, name: incidents.name }).from(incidents).where(inArray(incidents.id, l)).all(),
    (row) => `/admin/incidents/${row.id}`,
  );
  lookup(
    'incident_update',
    (l) =>
      db
        .select({ id: incidentUpdates.id, name: incidents.name, incidentId: incidents.id })
        .from(incidentUpdates)
        .innerJoin(incidents, eq(incidents.id, incidentUpdates.incidentId))
        .where(inArray(incidentUpdates.id, l))
        .all(),
    (row) => `/admin/incidents/${row.incidentId}`,
  );
  lookup(
    'incident_draft',
    (l) =>
      db
        .select({ id: incidentDrafts.id, name: sql<string>`coalesce(json_extract(${incidentDrafts.input}, '$.name'), '')` })
        .from(incidentDrafts)
        .where(inArray(incidentDrafts.id, l))
        .all(),
    (row) => `/admin/incidents/new?draft=${row.id}`,
  );
  lookup(
    'component',
    (l) => db.select({ id: components.id, name: components.name }).from(components).where(inArray(components.id, l)).all(),
    () => '/admin/components',
  );
  lookup(
    'component_group',
    (l) => db.select({ id: componentGroups.id, name: componentGroups.name }).from(componentGroups).where(inArray(componentGroups.id, l)).all(),
    () => '/admin/components',
  );
  lookup(
    'user',
    (l) => db.select({ id: users.id, name: users.email }).from(users).where(inArray(users.id, l)).all(),
    () => '/admin/users',
  );
  lookup(
    'api_token',
    (l) => db.select({ id: apiTokens.id, name: apiTokens.name }).from(apiTokens).where(inArray(apiTokens.id, l)).all(),
    () => '/admin/tokens',
  );
  lookup(
    'alert_rule',
    (l) => db.select({ id: alertRules.id, name: alertRules.name }).from(alertRules).where(inArray(alertRules.id, l)).all(),
    (row) => `/admin/alerts#rule-${row.id}`,
  );
  lookup(
    'template',
    (l) => db.select({ id: updateTemplates.id, name: updateTemplates.name }).from(updateTemplates).where(inArray(updateTemplates.id, l)).all(),
    () => '/admin/templates',
  );
  lookup(
    'check',
    (l) => db.select({ id: checks.id, name: checks.name }).from(checks).where(inArray(checks.id, l)).all(),
    (row) => `/admin/checks/${row.id}`,
  );
  lookup(
    'webhook',
    (l) => db.select({ id: webhooks.id, name: webhooks.url }).from(webhooks).where(inArray(webhooks.id, l)).all(),
    () => '/admin/subscribers',
  );
  lookup(
    'subscriber',
    (l) => db.select({ id: subscribers.id, name: subscribers.email }).from(subscribers).where(inArray(subscribers.id, l)).all(),
    () => '/admin/subscribers',
  );
  return rows.map((r) => {
    // A postmortem is named by its slug, which is its id.
    const found = r.entityType === 'postmortem' && r.entityId ? { name: r.entityId, href: '/admin/postmortems' } : named.get(`${r.entityType}:${r.entityId}`);
    return { ...r, entityName: found?.name ?? null, entityHref: found?.href ?? null };
  });
}

/** One page of the entries this reader may read that match the filter, newest first; malformed filter values are ignored. */
export function listAudit(
  db: Db,
  filter: AuditFilter,
  timeZone: string,
  reader: Role,
  page = 1,
): { rows: AuditRow[]; total: number; page: number; pages: number } {
  const where = conditions(filter, timeZone, reader);
  const total = db.select({ n: count() }).from(auditLog).where(where).get()!.n;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((current - 1) * AUDIT_PAGE_SIZE)
    .all();
  return { rows: nameEntities(db, rows), total, page: current, pages };
}

/** Every entry this reader may read that matches the filter, newest first, in batches: for the CSV export. */
export function* allAudit(db: Db, filter: AuditFilter, timeZone: string, reader: Role): Generator<AuditRow> {
  const where = conditions(filter, timeZone, reader);
  for (let offset = 0; ; offset += 500) {
    const rows = db.select().from(auditLog).where(where).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(500).offset(offset).all();
    yield* nameEntities(db, rows);
    if (rows.length < 500) return;
  }
}

/** Who appears in the entries this reader may read, for the filter. */
export function auditActors(db: Db, reader: Role): string[] {
  return db
    .selectDistinct({ label: auditLog.actorLabel })
    .from(auditLog)
    .where(inArray(auditLog.audience, audiencesFor(reader)))
    .all()
    .map((r) => r.label)
    .sort();
}

/** Every component's and group's name by id, archived ones too: changes name them, not their ids. */
export function componentNamesById(db: Db): Map<string, string> {
  const names = new Map<string, string>();
  for (const g of db.select({ id: componentGroups.id, name: componentGroups.name }).from(componentGroups).all()) names.set(g.id, g.name);
  for (const c of db.select({ id: components.id, name: components.name }).from(components).all()) names.set(c.id, c.name);
  return names;
}
