// `npm run bench -- fanout`: one event to 10,000 confirmed subscribers through
// a local SMTP server, sent by the worker process; messages per second and
// the worker's peak memory.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../db/open';
import { outbox } from '../db/schema';
import { newPublicId } from '../src/lib/ids';
import { openIncident } from '../src/lib/incidents/open-incident';
import { startSmtpSink } from '../tests/support/smtp-sink';
import { peakRssMb, tempDir } from './support';

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 10_000);
const RATE = Number(process.env.MAIL_PER_SECOND ?? 1_000);

export async function benchFanout(): Promise<void> {
  const tmp = tempDir('shirase-fanout-');
  const databasePath = join(tmp.dir, 'fanout.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const now = Date.now();
  db.$client.transaction(() => {
    const insert = db.$client.prepare("insert into subscribers (id, email, locale, component_ids, status, permanent_failures, created_at, updated_at) values (?, ?, 'en', null, 'confirmed', 0, ?, ?)");
    for (let i = 0; i < SUBSCRIBERS; i++) insert.run(newPublicId(), `reader${i}@example.com`, now, now);
  })();
  const sink = await startSmtpSink();
  const queued = performance.now();
  openIncident(db, { name: 'Fan-out benchmark', status: 'investigating', body: 'One event, every subscriber.', notify: true }, { now });
  const enqueueMs = performance.now() - queued;

  const started = performance.now();
  const startWorker = () =>
    spawn(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts'], {
      env: { ...process.env, DATABASE_PATH: databasePath, SMTP_URL: sink.url, MAIL_PER_SECOND: String(RATE), WORKER_IDLE_MS: '50', LEASE_SECONDS: '5', SITE_URL: 'https://status.example.com' },
      stdio: 'ignore',
    });
  let worker = startWorker();
  let peak = 0;
  let killed = false;
  const sent = () => db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'sent')).get()!.n;
  while (sent() < SUBSCRIBERS && performance.now() - started < 180_000) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      peak = Math.max(peak, peakRssMb(worker.pid!));
    } catch {
      // The worker is between lives.
    }
    // A third of the way through, the worker is killed as a crash would kill it, and started again.
    if (!killed && sent() >= SUBSCRIBERS / 3) {
      killed = true;
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      worker = startWorker();
    }
  }
  const perSubscriber = new Map<string, Set<string>>();
  for (const m of sink.received) perSubscriber.set(m.to, (perSubscriber.get(m.to) ?? new Set()).add(m.messageId));
  const oneMessageEach = [...perSubscriber.values()].every((ids) => ids.size === 1) && perSubscriber.size === SUBSCRIBERS;
  const resent = sink.received.length - perSubscriber.size;
  const seconds = (performance.now() - started) / 1000;
  const delivered = sent();
  worker.kill('SIGTERM');
  await sink.close();
  db.$client.close();
  tmp.cleanup();
  console.log(`Queued ${SUBSCRIBERS.toLocaleString('en')} outbox rows with the write in ${Math.round(enqueueMs)} ms.`);
  console.log(`Delivered ${delivered.toLocaleString('en')} of ${SUBSCRIBERS.toLocaleString('en')} in ${seconds.toFixed(1)} s (${Math.round(delivered / seconds)} messages/s, rate limit ${RATE}/s; target: all within 60 s).`);
  console.log(`Worker peak RSS: ${peak} MB (target < 256 MB).`);
  console.log(`The worker was killed with SIGKILL a third of the way through and restarted: every subscriber got ${oneMessageEach ? 'exactly one message (one Message-ID)' : 'NOT exactly one message'}; ${resent} copies in flight at the kill were sent again with the same Message-ID.`);
}
