import { desc, eq, sql } from 'drizzle-orm';
import { alertGroups, alertRules, alerts, incidentDrafts } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import type { AlertSource } from './alert';

export interface AlertGroupRow {
  id: string;
  source: AlertSource;
  /** The rule that took the group; null for "no rule", or when the rule has since been deleted (ruleKey says which). */
  rule: { id: string; name: string } | null;
  ruleKey: string;
  state: 'firing' | 'resolved';
  firedAt: number;
  resolvedAt: number | null;
  /** The first alert's name, and how many alerts the group has seen. */
  alertName: string | null;
  alertCount: number;
  /** Where staff follow it up: the suggested incident while it waits (null once published or deleted), the incident, and the suggested recovery while it waits. */
  draftId: string | null;
  recoveryDraftId: string | null;
  incidentId: string | null;
}

/** The latest alert groups, newest first, with their rule and alerts, for the alerts screen. */
export function recentAlertGroups(db: Queryable, limit = 20): AlertGroupRow[] {
  return db
    .select({
      id: alertGroups.id,
      source: alertGroups.source,
      ruleKey: alertGroups.ruleKey,
      ruleId: alertRules.id,
      ruleName: alertRules.name,
      state: alertGroups.state,
      firedAt: alertGroups.firedAt,
      resolvedAt: alertGroups.resolvedAt,
      draftId: sql<string | null>`(select d.id from ${incidentDrafts} d where d.id = ${alertGroups.draftId})`,
      recoveryDraftId: sql<string | null>`(select d.id from ${incidentDrafts} d where d.id = ${alertGroups.recoveryDraftId})`,
      incidentId: alertGroups.incidentId,
      alertName: sql<string | null>`(select a.name from ${alerts} a where a.group_id = ${alertGroups.id} order by a.starts_at, a.id limit 1)`,
      alertCount: sql<number>`(select count(*) from ${alerts} a where a.group_id = ${alertGroups.id})`,
    })
    .from(alertGroups)
    .leftJoin(alertRules, eq(alertRules.id, alertGroups.ruleKey))
    .orderBy(desc(alertGroups.firedAt), desc(alertGroups.id))
    .limit(limit)
    .all()
    .map(({ ruleId, ruleName, ...row }) => ({ ...row, rule: ruleId && ruleName !== null ? { id: ruleId, name: ruleName } : null }));
}
