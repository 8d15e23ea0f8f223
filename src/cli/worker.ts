// `npm run worker`: delivers notifications in a process of its own. Run it
// with WORKER=off on the server so only one process sends.
import { holdDatabaseLock } from '../../db/lifetime-lock';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { createLogger, logTo } from '../lib/log';
import { createCourier } from '../lib/notifications/courier';
import { startDeliveryLoop } from '../lib/notifications/deliver';
import { enqueueMaintenanceReminders } from '../lib/incidents/run-maintenance-windows';

function main(): void {
  const { config, envFile } = readSettings();
  const log = logTo(createLogger({ level: config.logLevel }));
  const db = openSiteDatabase(config, { log });
  holdDatabaseLock(config.databasePath);
  const courier = createCourier(config);
  const stop = startDeliveryLoop(db, {
    config,
    courier,
    log,
    idleMs: Number(process.env.WORKER_IDLE_MS ?? 1000),
    retryBaseMs: Number(process.env.RETRY_BASE_MS ?? 30_000),
    leaseMs: Number(process.env.LEASE_SECONDS ?? 60) * 1000,
    batchSize: 50,
  });
  const reminders = setInterval(() => enqueueMaintenanceReminders(db, Date.now(), config.reminderMinutes), 15_000);
  log(
    `[shirase] Delivery worker running (pid ${process.pid}), sending through ${courier.describe()}${envFile ? `; settings from the environment and ${envFile}` : ''}.`,
  );
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
  exitWithError(error);
}
