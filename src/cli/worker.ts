// `npm run worker`: delivers notifications in a process of its own. Run it
// with WORKER=off on the server so only one process sends.
import { ConfigError, parseConfig } from '../lib/config';
import { migrateDatabase, openDatabase } from '../../db/open';
import { createCourier } from '../lib/notifications/courier';
import { startDeliveryLoop } from '../lib/notifications/deliver';
import { enqueueMaintenanceReminders } from '../lib/incidents/run-maintenance-windows';

function main(): void {
  const config = parseConfig();
  const db = openDatabase(config.databasePath, { maxBytes: config.databaseMaxBytes });
  migrateDatabase(db);
  const courier = createCourier(config);
  const log = (line: string) => console.log(line);
  const stop = startDeliveryLoop(db, { config, courier, log, idleMs: Number(process.env.WORKER_IDLE_MS ?? 1000), retryBaseMs: Number(process.env.RETRY_BASE_MS ?? 30_000), leaseMs: Number(process.env.LEASE_SECONDS ?? 60) * 1000, batchSize: 50 });
  const reminders = setInterval(() => enqueueMaintenanceReminders(db, Date.now(), config.reminderMinutes), 15_000);
  log(`[shirase] Delivery worker running (pid ${process.pid}), sending through ${courier.describe()}.`);
  const shutdown = async () => {
    clearInterval(reminders);
    await stop();
    courier.close();
    db.$client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
