import type { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents, maintenanceSeries } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { enqueueEvent } from '../notifications/enqueue';
import { parseInput } from '../validation';
import { scheduleMaintenanceSchema, type ScheduleMaintenanceInput } from './input';
import { assertComponentsExist, insertUpdate, linkComponents, refreshIncident, type Tx } from './log';
import { pageIdForSlug } from '../pages/load-pages';
import type { WriteContext } from '../write-context';
import { pick, serializeTranslations } from '../i18n/translations';
import { ShiraseError, fieldIssue, notSaved } from '../errors';
import { calendarRule, MAX_OCCURRENCES, occurrenceStarts, type Repeat } from '../maintenance/recurrence';
import { t } from '../i18n/messages';

/**
 * Plans a maintenance window: an incident of kind maintenance with a first
 * "scheduled" update. A window that is already over is refused unless it is
 * marked as a record of past work, which is stored as completed and tells
 * nobody (announcing it would send "scheduled", "started" and "completed"
 * within seconds, years late). A repeating window is one window per
 * occurrence of its rule, each started, ended and reminded of by the timers
 * like any other, announced once by the first.
 */
export function scheduleMaintenance(db: Db, input: ScheduleMaintenanceInput, ctx: WriteContext): { incidentId: string; seriesId?: string } {
  const data = parseInput(scheduleMaintenanceSchema(), input, 'maintenance');
  const over = data.scheduledUntil <= ctx.now;
  if (over && !data.pastRecord) {
    throw new ShiraseError('VALIDATION', 'errors.maintenance.windowOver', {
      hint: 'errors.maintenance.windowOver.hint',
      fields: [fieldIssue('scheduledUntil', 'errors.field.windowOver')],
    });
  }
  if (!over && data.pastRecord) {
    throw new ShiraseError('VALIDATION', 'errors.maintenance.notOverYet', {
      hint: 'errors.maintenance.notOverYet.hint',
      fields: [fieldIssue('pastRecord', 'errors.field.notOverYet')],
    });
  }
  if (data.pastRecord) return recordPastMaintenance(db, data, ctx);
  const series = data.repeat ? planSeries(data) : undefined;
  return db.transaction((tx) => {
    const duration = data.scheduledUntil - data.scheduledFor;
    if (series)
      tx.insert(maintenanceSeries)
        .values({ id: series.id, rule: series.rule, timeZone: data.repeatTimeZone, firstStart: data.scheduledFor, durationMs: duration, createdAt: ctx.now })
        .run();
    let first: string | undefined;
    for (const start of series?.starts ?? [data.scheduledFor]) {
      const window = { ...data, id: first === undefined ? data.id : undefined, scheduledFor: start, scheduledUntil: start + duration };
      const incidentId = insertWindow(tx, window, ctx, {
        status: 'scheduled',
        autoTransitions: data.autoTransitions,
        backfilled: false,
        seriesId: series?.id,
        occurrenceStart: series ? start : undefined,
      });
      // The announcement is shown when it was made, never later than the window it announces.
      const updateId = insertUpdate(tx, {
        incidentId,
        status: 'scheduled',
        body: data.body,
        displayAt: Math.min(ctx.now, start),
        // A series is announced once, by its first window; each one still has its reminder.
        notify: data.notify && first === undefined,
        now: ctx.now,
        translations: pick(data.translations, 'body'),
        site: ctx.site,
      });
      refreshIncident(tx, incidentId, ctx.now);
      if (data.notify && first === undefined) enqueueEvent(tx, { kind: 'maintenance_scheduled', incidentId, updateId }, ctx.now);
      first ??= incidentId;
    }
    recordAudit(tx, ctx, {
      action: 'maintenance.schedule',
      entityType: 'incident',
      entityId: first!,
      after: series ? { ...data, seriesId: series.id, occurrences: series.starts.length } : data,
    });
    bumpChangeCounter(tx);
    return { incidentId: first!, seriesId: series?.id };
  });
}

/** The starts of a repeating window, refused when the rule makes fewer than two or too many. */
function planSeries(data: z.output<ReturnType<typeof scheduleMaintenanceSchema>>): { id: string; rule: string; starts: number[] } {
  const repeat: Repeat = { freq: data.repeat!, count: data.repeatCount, until: data.repeatUntil };
  const starts = occurrenceStarts(repeat, data.scheduledFor, data.repeatTimeZone);
  if (starts.length > MAX_OCCURRENCES) {
    throw notSaved('maintenance', [fieldIssue('repeatUntil', 'errors.field.repeatTooMany', { max: MAX_OCCURRENCES })]);
  }
  if (starts.length < 2) throw notSaved('maintenance', [fieldIssue('repeatUntil', 'errors.field.repeatTooFew')]);
  return { id: newPublicId(), rule: calendarRule(repeat, starts), starts };
}

/**
 * Past work, written up: its work shown from the window's start, completed at
 * its end, no notification. Component statuses are left alone: entries dated
 * in the past would change what the ledger says components are now.
 */
function recordPastMaintenance(db: Db, data: z.output<ReturnType<typeof scheduleMaintenanceSchema>>, ctx: WriteContext): { incidentId: string } {
  return db.transaction((tx) => {
    const incidentId = insertWindow(tx, data, ctx, { status: 'completed', autoTransitions: false, backfilled: true });
    insertUpdate(tx, {
      incidentId,
      status: 'in_progress',
      body: data.body,
      displayAt: data.scheduledFor,
      notify: false,
      now: ctx.now,
      translations: pick(data.translations, 'body'),
      site: ctx.site,
    });
    insertUpdate(tx, {
      incidentId,
      status: 'completed',
      body: t('en', 'auto.maintenance_completed'),
      bodyKey: 'maintenance_completed',
      displayAt: data.scheduledUntil,
      notify: false,
      now: ctx.now,
    });
    refreshIncident(tx, incidentId, ctx.now);
    recordAudit(tx, ctx, { action: 'maintenance.record_past', entityType: 'incident', entityId: incidentId, after: { ...data, notify: false } });
    bumpChangeCounter(tx);
    return { incidentId };
  });
}

/** The window itself and its components, as scheduled or as a record of past work. */
function insertWindow(
  tx: Tx,
  data: z.output<ReturnType<typeof scheduleMaintenanceSchema>>,
  ctx: WriteContext,
  as: { status: 'scheduled' | 'completed'; autoTransitions: boolean; backfilled: boolean; seriesId?: string; occurrenceStart?: number },
): string {
  assertComponentsExist(tx, data.componentIds, 'componentIds');
  const pageId = pageIdForSlug(tx, data.page, 'maintenance');
  const incidentId = data.id ?? newPublicId();
  tx.insert(incidents)
    .values({
      id: incidentId,
      kind: 'maintenance',
      name: data.name,
      translations: serializeTranslations(pick(data.translations, 'name')),
      impact: data.impact ?? 'maintenance',
      impactOverride: data.impact !== undefined && data.impact !== 'maintenance',
      declaredStartAt: null,
      status: as.status,
      startedAt: data.scheduledFor,
      scheduledFor: data.scheduledFor,
      scheduledUntil: data.scheduledUntil,
      autoTransitions: as.autoTransitions,
      backfilled: as.backfilled,
      seriesId: as.seriesId ?? null,
      occurrenceStart: as.occurrenceStart ?? null,
      pageId: pageId ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .run();
  linkComponents(tx, incidentId, data.componentIds);
  return incidentId;
}
