import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents, maintenanceSeries } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { cancelMaintenance } from '../incidents/cancel-maintenance';
import { editIncident } from '../incidents/edit-incident';
import type { WriteContext } from '../write-context';

/** The windows of a series whose work has not begun, earliest first: what a change to "the series" reaches. */
export function upcomingOccurrences(db: Db, seriesId: string): { id: string; scheduledFor: number }[] {
  return db
    .select({ id: incidents.id, scheduledFor: incidents.scheduledFor })
    .from(incidents)
    .where(and(eq(incidents.seriesId, seriesId), eq(incidents.status, 'scheduled')))
    .orderBy(asc(incidents.scheduledFor))
    .all()
    .map((r) => ({ id: r.id, scheduledFor: r.scheduledFor! }));
}

/**
 * Renames or cancels every window of a series that has not started, each
 * through the verb that edits one window (so each raises its own SEQUENCE),
 * all in one transaction. Windows already under way or over are left as they
 * are; one occurrence alone is edited on its own page. A cancellation is
 * announced once, by the earliest window, when `notify` is set.
 */
export function editMaintenanceSeries(db: Db, seriesId: string, input: { name?: string; cancel?: boolean; notify?: boolean }, ctx: WriteContext): number {
  if (!db.select({ id: maintenanceSeries.id }).from(maintenanceSeries).where(eq(maintenanceSeries.id, seriesId)).get()) throw notFound('maintenance', seriesId);
  return db.transaction((tx) => {
    const upcoming = upcomingOccurrences(db, seriesId);
    if (upcoming.length === 0) throw new ShiraseError('CONFLICT', 'errors.maintenance.seriesOver');
    upcoming.forEach((w, i) => {
      if (input.cancel) cancelMaintenance(db, w.id, { notify: (input.notify ?? false) && i === 0 }, ctx);
      else if (input.name !== undefined) editIncident(db, w.id, { name: input.name }, ctx);
    });
    recordAudit(tx, ctx, {
      action: input.cancel ? 'maintenance.series_cancel' : 'maintenance.series_edit',
      entityType: 'incident',
      entityId: upcoming[0]!.id,
      after: { seriesId, ...input, windows: upcoming.length },
    });
    return upcoming.length;
  });
}
