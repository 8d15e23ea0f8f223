import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import { enqueueEvent } from '../notifications/enqueue';
import type { Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { postIncidentUpdate } from './post-update';
import { resolveIncident } from './resolve-incident';
import { OPEN_MAINTENANCE_STATUSES } from '../status/vocabulary';
import { t } from '../i18n/messages';

/**
 * Starts maintenance windows whose start has passed and completes those whose
 * end has passed, for windows where staff left automatic transitions on.
 * Returns how many windows changed, so the caller knows whether to re-render.
 */
export function runMaintenanceWindows(db: Db, now: number): number {
  let changed = 0;
  const due = db
    .select({ id: incidents.id, status: incidents.status, scheduledFor: incidents.scheduledFor, scheduledUntil: incidents.scheduledUntil })
    .from(incidents)
    .where(
      and(
        eq(incidents.kind, 'maintenance'),
        eq(incidents.autoTransitions, true),
        inArray(incidents.status, OPEN_MAINTENANCE_STATUSES),
        lte(incidents.scheduledFor, now),
      ),
    )
    .all();
  for (const m of due) {
    if (m.status === 'scheduled') {
      const componentIds = db
        .select({ componentId: incidentComponents.componentId })
        .from(incidentComponents)
        .where(eq(incidentComponents.incidentId, m.id))
        .all();
      postIncidentUpdate(
        db,
        m.id,
        {
          status: 'in_progress',
          body: t('en', 'auto.maintenance_started'),
          displayAt: m.scheduledFor!,
          notify: true,
          components: componentIds.map((c) => ({ componentId: c.componentId, status: 'under_maintenance' as const })),
        },
        { now },
        { bodyKey: 'maintenance_started' },
      );
      changed++;
    }
    if (m.scheduledUntil !== null && m.scheduledUntil <= now) {
      resolveIncident(db, m.id, { bodyKey: 'maintenance_completed', displayAt: m.scheduledUntil, notify: true }, { now });
      changed++;
    }
  }
  return changed;
}

/**
 * Queues the "starting soon" notice for each scheduled window that begins
 * within `minutes`, once per window (the event's once-key guarantees it).
 */
export function enqueueMaintenanceReminders(db: Db, now: number, minutes: number): number {
  if (minutes <= 0) return 0;
  const soon = db
    .select({ id: incidents.id })
    .from(incidents)
    .where(
      and(
        eq(incidents.kind, 'maintenance'),
        eq(incidents.status, 'scheduled'),
        lte(incidents.scheduledFor, now + minutes * 60_000),
        gt(incidents.scheduledFor, now),
      ),
    )
    .all();
  let queued = 0;
  for (const m of soon) {
    db.transaction((tx) => {
      if (enqueueEvent(tx, { kind: 'maintenance_reminder', incidentId: m.id, onceKey: `reminder:${m.id}` }, now) !== null) queued++;
    });
  }
  return queued;
}
