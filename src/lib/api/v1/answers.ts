// What the write API answers with: the Statuspage v2 shapes of /api/v2, plus
// the versions an edit names to avoid overwriting someone else's; alert rules
// in a shape of their own.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/open';
import { alertGroups, alerts, incidents } from '../../../../db/schema';
import { groupsFor, type ReceivedAlerts } from '../../alerts/receive-alerts';
import { findRule, formatMatcher, type AlertRule } from '../../alerts/rule';
import { allSuggestedUpdates, listDrafts, type DraftView } from '../../drafts/load-drafts';
import type { Config } from '../../config';
import { notFound } from '../../errors';
import { isPublicId } from '../../ids';
import { findComponent } from '../../components/load-components';
import { loadIncident } from '../../incidents/load-incidents';
import { componentsJson, componentsNamed, incidentObject } from '../statuspage-v2';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export function incidentAnswer(db: Db, config: Config, now: number, id: string, status: number): ApiAnswer {
  const incident = loadIncident(db, id)!;
  // Only its own components: an install with many pages has a thousand.
  const components = componentsNamed(
    { db, config, now },
    incident.components.map((c) => c.id),
  );
  const object = incidentObject({ db, config, now }, incident, components);
  const versions = new Map(incident.updates.map((u) => [u.id, u.version]));
  return {
    status,
    body: { ...object, version: incident.version, incident_updates: object.incident_updates.map((u) => ({ ...u, version: versions.get(u.id) })) },
  };
}

export function componentAnswer(db: Db, config: Config, now: number, id: string): ApiAnswer {
  const { components } = componentsJson({ db, config, now });
  return { status: 200, body: { ...components.find((c) => c.id === id), version: findComponent(db, id, now)?.version } };
}

/** Throws NOT_FOUND unless the incident named in the path exists. */
export function existingIncident(db: Db, id: string): void {
  const found = isPublicId(id) && db.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, id)).get();
  if (!found) throw notFound('incident', id);
}

export function existingComponent(db: Db, id: string, now: number): void {
  if (!findComponent(db, id, now)) throw notFound('component', id);
}

/** The update named in the path, on the incident named before it, or NOT_FOUND. */
export function existingUpdate(db: Db, incidentId: string, updateId: string): void {
  const incident = isPublicId(incidentId) ? loadIncident(db, incidentId) : undefined;
  if (!incident || !incident.updates.some((u) => u.id === updateId)) throw notFound('update', updateId);
}

/** A draft as the API shows it: what it would publish, and the alerts behind it when an alert suggested it. */
function draftObject(db: Db, draft: DraftView) {
  const group = groupsFor(db, { draftIds: [draft.id] })[0] ?? db.select().from(alertGroups).where(eq(alertGroups.recoveryDraftId, draft.id)).get();
  const d = draft.input;
  return {
    id: draft.id,
    kind: draft.incidentId === null ? 'incident' : 'update',
    incident_id: draft.incidentId,
    name: d.name,
    status: d.status,
    body: d.body,
    components: d.components.map((c) => ({ id: c.componentId, status: c.status })),
    impact: d.impact ?? null,
    started_at: d.startedAt === undefined ? null : new Date(d.startedAt).toISOString(),
    translations: d.translations ?? {},
    version: draft.version,
    created_at: new Date(draft.createdAt).toISOString(),
    updated_at: new Date(draft.updatedAt).toISOString(),
    alerts: group ? alertGroupObject(db, group) : null,
  };
}

function alertGroupObject(db: Db, group: typeof alertGroups.$inferSelect) {
  const rule = group.ruleKey ? findRule(db, group.ruleKey) : undefined;
  const rows = db.select().from(alerts).where(eq(alerts.groupId, group.id)).all();
  return {
    group_id: group.id,
    source: group.source,
    state: group.state,
    rule: rule ? { id: rule.id, name: rule.name } : null,
    alerts: rows.map((a) => ({
      name: a.name,
      status: a.status,
      summary: a.summary,
      labels: JSON.parse(a.labels) as Record<string, string>,
      starts_at: new Date(a.startsAt).toISOString(),
      ends_at: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
      url: a.url,
    })),
  };
}

/** Every draft waiting for approval: new incidents and suggested updates, the newest first. */
export function draftsAnswer(db: Db): ApiAnswer {
  const drafts = [...listDrafts(db), ...allSuggestedUpdates(db)].sort((a, b) => b.updatedAt - a.updatedAt);
  return { status: 200, body: { drafts: drafts.map((d) => draftObject(db, d)) } };
}

/** What a delivery of alerts did, group by group. */
export function receivedAnswer(received: ReceivedAlerts): ApiAnswer {
  return {
    status: 200,
    body: {
      received: received.received,
      changed: received.changed,
      groups: received.groups.map((g) => ({
        id: g.id,
        rule: g.rule,
        state: g.state,
        outcome: g.outcome,
        draft_id: g.draftId,
        incident_id: g.incidentId,
        recovery_draft_id: g.recoveryDraftId,
      })),
    },
  };
}

/** A rule as the API says it: snake_case, matchers as people write them, times in ISO 8601. */
export function ruleObject(rule: AlertRule) {
  return {
    id: rule.id,
    name: rule.name,
    position: rule.position,
    enabled: rule.enabled,
    matchers: rule.matchers.map(formatMatcher),
    components: rule.components.map((c) => ({ component_id: c.componentId, status: c.status })),
    incident_status: rule.incidentStatus,
    impact: rule.impact,
    action: rule.action,
    notify: rule.notify,
    recovery: rule.recovery,
    recovery_status: rule.recoveryStatus,
    texts: rule.texts,
    version: rule.version,
    created_at: new Date(rule.createdAt).toISOString(),
    updated_at: new Date(rule.updatedAt).toISOString(),
  };
}

/** The rule named in the path, or NOT_FOUND. */
export function existingRule(db: Db, id: string): AlertRule {
  const rule = isPublicId(id) ? findRule(db, id) : undefined;
  if (!rule) throw notFound('alertRule', id);
  return rule;
}

export function ruleAnswer(db: Db, id: string, status: number): ApiAnswer {
  return { status, body: ruleObject(existingRule(db, id)) };
}
