import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { enqueueMaintenanceReminders, runMaintenanceWindows } from '../lib/incidents/run-maintenance-windows';
import { remindMissedCadences } from '../lib/cadence/remind-missed-cadence';
import { remindOverdueFollowUps } from '../lib/followups/remind-overdue-follow-ups';
import type { Log } from '../lib/log';
import { readSiteSettings, withSiteSettings } from '../lib/site/site-settings';

/**
 * Changes the clock makes on its own: maintenance windows that start or end,
 * the reminders before them, and the reminders to staff when an open incident
 * has gone quiet for longer than its update cadence, and to the owner of a
 * postmortem follow-up whose due day has passed (both checked once at start,
 * then every CADENCE_CHECK_SECONDS). Returns a function that stops them.
 */
export function startTimers(options: { db: Db; config: Config; now: () => number; log: Log; changed: () => void; maintenancePollMs?: number }): () => void {
  const { db, config, now, log } = options;
  const maintenance = setInterval(() => {
    try {
      enqueueMaintenanceReminders(db, now(), config.reminderMinutes);
      if (runMaintenanceWindows(db, now()) > 0) options.changed();
    } catch (error) {
      log(`[shirase] maintenance windows: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
  }, options.maintenancePollMs ?? 15_000);
  maintenance.unref();
  const checkCadences = () => {
    try {
      remindMissedCadences(db, now());
    } catch (error) {
      log(`[shirase] update cadence: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
    try {
      // Due days are in the page's zone, which Admin → Settings may have changed since start.
      remindOverdueFollowUps(db, now(), withSiteSettings(config, readSiteSettings(db)).timeZone);
    } catch (error) {
      log(`[shirase] overdue follow-ups: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
  };
  const cadence = setInterval(checkCadences, config.cadenceCheckMs);
  cadence.unref();
  const first = setTimeout(checkCadences, 0);
  first.unref();
  return () => {
    clearInterval(maintenance);
    clearInterval(cadence);
    clearTimeout(first);
  };
}
