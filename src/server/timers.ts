import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { enqueueMaintenanceReminders, runMaintenanceWindows } from '../lib/incidents/run-maintenance-windows';

/**
 * Changes the clock makes on its own: maintenance windows that start or end,
 * and the reminders before them. Returns a function that stops them.
 */
export function startTimers(options: { db: Db; config: Config; now: () => number; log: (line: string) => void; changed: () => void; maintenancePollMs?: number }): () => void {
  const { db, config, now, log } = options;
  const maintenance = setInterval(() => {
    try {
      enqueueMaintenanceReminders(db, now(), config.reminderMinutes);
      if (runMaintenanceWindows(db, now()) > 0) options.changed();
    } catch (error) {
      log(`[shirase] maintenance windows: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, options.maintenancePollMs ?? 15_000);
  maintenance.unref();
  return () => clearInterval(maintenance);
}
