// Alerts in: each alert goes to the first rule that matches it (or to no
// rule), alerts of one delivery that share a rule share a firing group, and a
// group owns one draft or incident. A flood of separate deliveries for one
// rule (each with its own group key), or of one alert name no rule takes,
// joins the group already firing for it, and staff hear about one source at
// most once per notice window. A person stays in charge of what
// customers read: only a rule that says "publish" changes the public page on
// its own; everything else waits as a draft for staff (or automation with a
// token) to publish.
import { and, desc, eq, gte, inArray, like } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { alertGroups, alerts as alertRows, incidentDrafts, incidents, notificationEvents } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import { saveDraft } from '../drafts/save-draft';
import { findDraft } from '../drafts/load-drafts';
import { newPublicId } from '../ids';
import type { Locale } from '../i18n/messages';
import type { Tx } from '../incidents/log';
import { openIncident } from '../incidents/open-incident';
import { postIncidentUpdate } from '../incidents/post-update';
import { enqueueStaffNotice } from '../notifications/enqueue-staff';
import type { ComponentStatus } from '../status/vocabulary';
import { loadIncident } from '../incidents/load-incidents';
import { findComponent } from '../components/load-components';
import type { WriteContext } from '../write-context';
import type { AlertDelivery, AlertSource, AlertState, IncomingAlert } from './alert';
import { alertText, type AlertFacts } from './alert-texts';
import { listRules, MatchBudget, ruleFor, type AlertRule } from './rule';
import { staffOnCall } from './staff-on-call';
import type { SiteForText } from '../templates/fill-published';

type GroupOutcome = 'suggested' | 'published' | 'appended' | 'recovery_suggested' | 'recovered' | 'unchanged';

interface ReceivedGroup {
  id: string;
  rule: { id: string; name: string } | null;
  state: AlertState;
  /** What this delivery did: opened a draft or an incident, added to one, suggested or applied recovery. */
  outcome: GroupOutcome;
  draftId: string | null;
  incidentId: string | null;
  recoveryDraftId: string | null;
}

export interface ReceivedAlerts {
  /** Alerts in the delivery. */
  received: number;
  /** Alerts that were new or changed state; a repeated delivery changes none. */
  changed: number;
  groups: ReceivedGroup[];
}

type GroupRow = typeof alertGroups.$inferSelect;

interface Touched {
  group: GroupRow;
  rule: AlertRule | undefined;
  created: boolean;
  fired: IncomingAlert[];
  resolved: number;
}

type Site = SiteForText;

/**
 * How long a firing group keeps taking a rule's alerts from deliveries under
 * other group keys, counted from the last alert it took: Alertmanager has
 * grouped by its own labels already, and a burst of separate deliveries for
 * one rule is one event for the status page.
 */
const FLOOD_WINDOW_MS = 5 * 60_000;

/** The start of the firing occurrence of this fingerprint, for senders that do not repeat it. */
function openStart(tx: Tx, source: AlertSource, fingerprint: string): number | null {
  const row = tx
    .select({ startsAt: alertRows.startsAt })
    .from(alertRows)
    .where(and(eq(alertRows.source, source), eq(alertRows.fingerprint, fingerprint), eq(alertRows.status, 'firing')))
    .get();
  return row?.startsAt ?? null;
}

/**
 * The firing group a flood of separate deliveries joins: the one its rule
 * took an alert into within the flood window; without a rule, the one that
 * took an alert of the same name (Alertmanager's default grouping), so that
 * unrelated alerts no rule takes still get drafts of their own.
 */
function floodGroup(tx: Tx, source: AlertSource, ruleKey: string, alertName: string, now: number): GroupRow | undefined {
  const recent = and(
    eq(alertGroups.source, source),
    eq(alertGroups.ruleKey, ruleKey),
    eq(alertGroups.state, 'firing'),
    gte(alertGroups.updatedAt, now - FLOOD_WINDOW_MS),
  );
  if (ruleKey !== '') return tx.select().from(alertGroups).where(recent).orderBy(desc(alertGroups.updatedAt)).get();
  return tx
    .select({ group: alertGroups })
    .from(alertGroups)
    .innerJoin(alertRows, eq(alertRows.groupId, alertGroups.id))
    .where(and(recent, eq(alertRows.name, alertName), eq(alertRows.status, 'firing')))
    .orderBy(desc(alertGroups.updatedAt))
    .get()?.group;
}

/** Records the delivery's alerts and says which groups changed; nothing else is written here. */
function recordAlerts(
  tx: Tx,
  rules: AlertRule[],
  ruleKeys: readonly string[],
  delivery: AlertDelivery,
  now: number,
): { touched: Map<string, Touched>; changed: number } {
  const touched = new Map<string, Touched>();
  const touch = (group: GroupRow, created: boolean) => {
    let entry = touched.get(group.id);
    if (!entry) {
      entry = { group, rule: rules.find((r) => r.id === group.ruleKey), created, fired: [], resolved: 0 };
      touched.set(group.id, entry);
    }
    return entry;
  };
  let changed = 0;
  for (const [index, alert] of delivery.alerts.entries()) {
    const startsAt = alert.startsAt ?? openStart(tx, delivery.source, alert.fingerprint) ?? (alert.status === 'firing' ? now : null);
    // A resolved alert never seen firing has nothing to recover from.
    if (startsAt === null) continue;
    const seen = tx
      .select()
      .from(alertRows)
      .where(and(eq(alertRows.source, delivery.source), eq(alertRows.fingerprint, alert.fingerprint), eq(alertRows.startsAt, startsAt)))
      .get();
    if (seen) {
      // A repeat, or a firing delivery that arrived after its resolution: nothing changes.
      if (seen.status === alert.status || alert.status === 'firing') continue;
      tx.update(alertRows)
        .set({ status: 'resolved', endsAt: alert.endsAt ?? now, receivedAt: now })
        .where(eq(alertRows.id, seen.id))
        .run();
      touch(tx.select().from(alertGroups).where(eq(alertGroups.id, seen.groupId)).get()!, false).resolved++;
      changed++;
      continue;
    }
    if (alert.status === 'resolved') continue;
    const ruleKey = ruleKeys[index]!;
    const open =
      tx
        .select()
        .from(alertGroups)
        .where(
          and(
            eq(alertGroups.source, delivery.source),
            eq(alertGroups.groupKey, delivery.groupKey),
            eq(alertGroups.ruleKey, ruleKey),
            eq(alertGroups.state, 'firing'),
          ),
        )
        .get() ?? floodGroup(tx, delivery.source, ruleKey, alert.name, now);
    let group = open;
    if (group) {
      // The flood window slides: a group stays open to other deliveries while alerts keep coming.
      tx.update(alertGroups).set({ updatedAt: now }).where(eq(alertGroups.id, group.id)).run();
    } else {
      group = {
        id: newPublicId(),
        source: delivery.source,
        groupKey: delivery.groupKey,
        ruleKey,
        state: 'firing',
        draftId: null,
        incidentId: null,
        recoveryDraftId: null,
        firedAt: Math.min(startsAt, now),
        resolvedAt: null,
        updatedAt: now,
      };
      tx.insert(alertGroups).values(group).run();
    }
    tx.insert(alertRows)
      .values({
        groupId: group.id,
        source: delivery.source,
        fingerprint: alert.fingerprint,
        startsAt,
        status: 'firing',
        name: alert.name,
        summary: alert.summary,
        labels: JSON.stringify(alert.labels),
        endsAt: null,
        url: alert.url,
        receivedAt: now,
      })
      .run();
    touch(group, !open).fired.push(alert);
    changed++;
  }
  return { touched, changed };
}

/** The group's alerts as the texts name them, firing ones first. */
function groupAlerts(tx: Tx, groupId: string) {
  const rows = tx
    .select({ name: alertRows.name, summary: alertRows.summary, status: alertRows.status, endsAt: alertRows.endsAt })
    .from(alertRows)
    .where(eq(alertRows.groupId, groupId))
    .all();
  return rows.sort((a, b) => (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1));
}

/** The rule's components that still exist: a rule naming a deleted component must not refuse the alert. */
function ruleComponents(db: Db, rule: AlertRule | undefined, now: number): { componentId: string; status: ComponentStatus }[] {
  return (rule?.components ?? []).filter((c) => findComponent(db, c.componentId, now) !== undefined);
}

function translationsOf(texts: Partial<Record<Locale, string>>, field: 'name' | 'body'): Partial<Record<Locale, Partial<Record<'name' | 'body', string>>>> {
  return Object.fromEntries(Object.entries(texts).map(([l, text]) => [l, { [field]: text }]));
}

function mergeTranslations(...parts: Partial<Record<Locale, Partial<Record<'name' | 'body', string>>>>[]) {
  const out: Partial<Record<Locale, Partial<Record<'name' | 'body', string>>>> = {};
  for (const part of parts) for (const [l, fields] of Object.entries(part) as [Locale, Record<string, string>][]) out[l] = { ...out[l], ...fields };
  return out as Record<Locale, Record<'name' | 'body', string>>;
}

function draftExists(db: Db, draftId: string | null): boolean {
  return draftId !== null && db.select({ id: incidentDrafts.id }).from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get() !== undefined;
}

/** What a notice is about; `more` is a burst's alerts that only added to a draft or incident staff already heard of. */
type Occasion = 'suggested' | 'appended' | 'recovery' | 'resolvedDraft' | 'more';

/**
 * Tells staff on call, at most once per source per notice window: a
 * suggestion after a quiet spell goes out at once; whatever follows within
 * the window (a suggestion, or alerts that only joined a group) is gathered
 * into one notice sent when the window ends, and so on while the burst
 * lasts. Each notice names the time of the one before (`since`), so its mail
 * counts the alerts that came in between and every alert of a burst is
 * counted by one notice. Alerts that only join a group after a quiet spell
 * tell nobody, as before.
 */
function tellStaff(tx: Tx, group: GroupRow, occasion: Occasion, draftId: string | null, incidentId: string | null, now: number, noticeMs: number): void {
  const prefix = `alerts:${group.source}:`;
  const last = tx
    .select({ createdAt: notificationEvents.createdAt })
    .from(notificationEvents)
    .where(and(eq(notificationEvents.kind, 'alert_suggestion'), like(notificationEvents.onceKey, `${prefix}%`)))
    .orderBy(desc(notificationEvents.createdAt))
    .get();
  // A gathered notice is already waiting for the window's end: it will count this one's alerts.
  if (last && last.createdAt > now) return;
  const inBurst = last !== undefined && last.createdAt + noticeMs > now;
  // Alerts that only joined a group count toward a burst's next notice; a notice this very delivery sent already counts them.
  if (occasion === 'more' && (!inBurst || last.createdAt === now)) return;
  const at = inBurst ? last.createdAt + noticeMs : now;
  const since = last?.createdAt ?? now - noticeMs;
  enqueueStaffNotice(
    tx,
    {
      kind: 'alert_suggestion',
      incidentId: incidentId ?? undefined,
      ref: `${group.id}:${draftId ?? ''}:${since}`,
      onceKey: `${prefix}${at}:${occasion}:${group.id}:${draftId ?? ''}`,
    },
    staffOnCall(tx).map((u) => u.id),
    at,
  );
}

/** Opens the group's draft or incident, adds to it, or recovers it, as its rule says. */
function settle(db: Db, tx: Tx, entry: Touched, site: Site, noticeMs: number, ctx: WriteContext): GroupOutcome {
  const { rule } = entry;
  let group = tx.select().from(alertGroups).where(eq(alertGroups.id, entry.group.id)).get()!;
  const all = groupAlerts(tx, group.id);
  const firing = all.filter((a) => a.status === 'firing');
  const components = ruleComponents(db, rule, ctx.now);
  const facts = (alerts: { name: string; summary: string | null }[], endedAt: number | null = null): AlertFacts => ({
    alerts,
    componentIds: components.map((c) => c.componentId),
    startedAt: group.firedAt,
    endedAt,
    now: ctx.now,
  });
  const set = (values: Partial<GroupRow>) => {
    tx.update(alertGroups)
      .set({ ...values, updatedAt: ctx.now })
      .where(eq(alertGroups.id, group.id))
      .run();
    group = { ...group, ...values };
  };
  let outcome: GroupOutcome = 'unchanged';

  if (entry.created) {
    const name = alertText(db, rule, 'name', facts(firing), site);
    const body = alertText(db, rule, 'body', facts(firing), site);
    const opening = {
      name: name.text,
      status: rule?.incidentStatus ?? 'investigating',
      body: body.text,
      components,
      impact: rule?.impact,
      startedAt: group.firedAt,
      translations: mergeTranslations(translationsOf(name.translations, 'name'), translationsOf(body.translations, 'body')),
    };
    if (rule?.action === 'publish') {
      const { incidentId } = openIncident(db, { ...opening, notify: rule.notify }, ctx);
      set({ incidentId });
      outcome = 'published';
    } else {
      const { draftId } = saveDraft(db, { draft: opening }, ctx);
      set({ draftId });
      tellStaff(tx, group, 'suggested', draftId, null, ctx.now, noticeMs);
      outcome = 'suggested';
    }
  } else if (entry.fired.length > 0) {
    if (group.incidentId === null && draftExists(db, group.draftId)) {
      // Still a draft: its text is written again to name every alert of the group.
      const draft = findDraft(tx, group.draftId!);
      const body = alertText(db, rule, 'body', facts(firing), site);
      const translations = mergeTranslations(draft.input.translations ?? {}, translationsOf(body.translations, 'body'));
      saveDraft(db, { draftId: draft.id, version: draft.version, draft: { ...draft.input, body: body.text, translations } }, ctx);
      outcome = 'appended';
    } else if (group.incidentId !== null) {
      const incident = tx.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, group.incidentId)).get();
      if (incident && incident.status !== 'resolved') {
        const body = alertText(db, rule, 'append', facts(entry.fired), site);
        const update = { status: incident.status as 'investigating', body: body.text, components, translations: translationsOf(body.translations, 'body') };
        if (rule?.action === 'publish') {
          postIncidentUpdate(db, group.incidentId, { ...update, notify: rule.notify }, ctx);
        } else {
          const { draftId } = saveDraft(db, { incidentId: group.incidentId, draft: update }, ctx);
          tellStaff(tx, group, 'appended', draftId, group.incidentId, ctx.now, noticeMs);
        }
        outcome = 'appended';
      }
    }
  }

  if (firing.length === 0 && group.state === 'firing') {
    const endedAt = Math.max(...all.map((a) => a.endsAt ?? ctx.now));
    set({ state: 'resolved', resolvedAt: ctx.now });
    const recovery = alertText(db, rule, 'recovery', facts(all, endedAt), site);
    if (group.incidentId !== null) {
      const incident = loadIncident(db, group.incidentId);
      if (incident && incident.status !== 'resolved') {
        // Every component the incident still holds down goes back to operational.
        const back = incident.components
          .filter((c) => (findComponent(db, c.id, ctx.now)?.status ?? 'operational') !== 'operational')
          .map((c) => ({ componentId: c.id, status: 'operational' as const }));
        const update = {
          status: rule?.recoveryStatus ?? 'resolved',
          body: recovery.text,
          components: back,
          translations: translationsOf(recovery.translations, 'body'),
        };
        if (rule?.recovery === 'apply') {
          postIncidentUpdate(db, group.incidentId, { ...update, notify: rule.notify }, ctx);
          outcome = 'recovered';
        } else {
          const { draftId } = saveDraft(db, { incidentId: group.incidentId, draft: update }, ctx);
          set({ recoveryDraftId: draftId });
          tellStaff(tx, group, 'recovery', draftId, group.incidentId, ctx.now, noticeMs);
          outcome = 'recovery_suggested';
        }
      }
    } else if (draftExists(db, group.draftId)) {
      // Never published: the draft says the alerts are over, for staff to publish as a record or delete.
      const draft = findDraft(tx, group.draftId!);
      const note = (base: string, extra: string) => (base.trim() === '' ? extra : `${base}\n\n${extra}`);
      const translations = Object.fromEntries(
        Object.entries(recovery.translations).map(([l, text]) => [
          l,
          { ...draft.input.translations?.[l as Locale], body: note(draft.input.translations?.[l as Locale]?.body ?? '', text) },
        ]),
      );
      saveDraft(db, { draftId: draft.id, version: draft.version, draft: { ...draft.input, body: note(draft.input.body, recovery.text), translations } }, ctx);
      tellStaff(tx, group, 'resolvedDraft', draft.id, null, ctx.now, noticeMs);
      outcome = 'recovery_suggested';
    }
  }
  return outcome;
}

/**
 * Takes one delivery in one transaction: a repeated delivery changes nothing,
 * and a delivery that fails part-way leaves nothing half-written. Which rule
 * takes each alert is decided before the transaction opens: matchers run on
 * text from outside, and the database must not wait on them.
 */
export function receiveAlerts(
  db: Db,
  config: Pick<Config, 'defaultLocale' | 'timeZone' | 'alertNoticeMs'>,
  delivery: AlertDelivery,
  ctx: WriteContext,
): ReceivedAlerts {
  const site = { defaultLocale: config.defaultLocale, timeZone: config.timeZone };
  const rules = listRules(db);
  const budget = new MatchBudget();
  const ruleKeys = delivery.alerts.map((alert) => (alert.status === 'firing' ? (ruleFor(rules, alert.labels, budget)?.id ?? '') : ''));
  return db.transaction((tx) => {
    const { touched, changed } = recordAlerts(tx, rules, ruleKeys, delivery, ctx.now);
    const groups: ReceivedGroup[] = [];
    for (const entry of touched.values()) {
      // What the rule publishes has its template variables filled in the site's zone and language.
      const outcome = settle(db, tx, entry, site, config.alertNoticeMs, { ...ctx, site });
      const group = tx.select().from(alertGroups).where(eq(alertGroups.id, entry.group.id)).get()!;
      // During a burst, alerts that only joined a group are still counted in the next gathered notice.
      if (outcome === 'appended' || outcome === 'unchanged') tellStaff(tx, group, 'more', group.draftId, group.incidentId, ctx.now, config.alertNoticeMs);
      recordAudit(tx, ctx, {
        action: `alerts.${outcome}`,
        entityType: 'alert_group',
        entityId: group.id,
        after: {
          source: delivery.source,
          rule: entry.rule?.name ?? null,
          fired: entry.fired.map((a) => a.name),
          resolved: entry.resolved,
          draftId: group.draftId,
          incidentId: group.incidentId,
        },
      });
      groups.push({
        id: group.id,
        rule: entry.rule ? { id: entry.rule.id, name: entry.rule.name } : null,
        state: group.state,
        outcome,
        draftId: group.draftId,
        incidentId: group.incidentId,
        recoveryDraftId: group.recoveryDraftId,
      });
    }
    return { received: delivery.alerts.length, changed, groups };
  });
}

/** The alert groups behind drafts and incidents, for the staff screens that show where a draft came from. */
export function groupsFor(db: Db, ids: { draftIds?: string[]; incidentIds?: string[] }): GroupRow[] {
  const byDraft = ids.draftIds?.length ? db.select().from(alertGroups).where(inArray(alertGroups.draftId, ids.draftIds)).all() : [];
  const byIncident = ids.incidentIds?.length ? db.select().from(alertGroups).where(inArray(alertGroups.incidentId, ids.incidentIds)).all() : [];
  return [...new Map([...byDraft, ...byIncident].map((g) => [g.id, g])).values()];
}
