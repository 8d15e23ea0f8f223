import { eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { alertGroups, alerts } from '../../../db/schema';
import type { AlertSource, AlertState } from './alert';
import { listRules } from './rule';

/** Where a draft or an incident came from, when an alert or a check brought it: for the staff screens. */
export interface AlertOrigin {
  groupId: string;
  source: AlertSource;
  rule: string | null;
  state: AlertState;
  firedAt: number;
  resolvedAt: number | null;
  alerts: { name: string; summary: string | null; status: AlertState; labels: Record<string, string>; url: string | null }[];
}

/**
 * The alert groups behind these drafts and incidents, keyed by the draft's or
 * incident's id (a suggested recovery is keyed by its own draft id too).
 */
export function alertOrigins(db: Db, ids: readonly string[]): Map<string, AlertOrigin> {
  const out = new Map<string, AlertOrigin>();
  if (ids.length === 0) return out;
  const list = [...ids];
  const groups = db
    .select()
    .from(alertGroups)
    .where(or(inArray(alertGroups.draftId, list), inArray(alertGroups.incidentId, list), inArray(alertGroups.recoveryDraftId, list)))
    .all();
  if (groups.length === 0) return out;
  const rules = new Map(listRules(db).map((r) => [r.id, r.name]));
  for (const g of groups) {
    const rows = db.select().from(alerts).where(eq(alerts.groupId, g.id)).all();
    const origin: AlertOrigin = {
      groupId: g.id,
      source: g.source,
      rule: rules.get(g.ruleKey) ?? null,
      state: g.state,
      firedAt: g.firedAt,
      resolvedAt: g.resolvedAt,
      alerts: rows.map((a) => ({ name: a.name, summary: a.summary, status: a.status, labels: JSON.parse(a.labels) as Record<string, string>, url: a.url })),
    };
    for (const key of [g.draftId, g.incidentId, g.recoveryDraftId]) if (key !== null && ids.includes(key) && !out.has(key)) out.set(key, origin);
  }
  return out;
}
