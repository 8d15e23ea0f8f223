// `npm run bench -- fanout`: one event to 10,000 confirmed email subscribers
// (through a local SMTP server), 300 chat channels (Slack, Teams and Discord
// hooks on a loopback receiver) and 1,000 browsers (through web-push-testing,
// a real push service on loopback that checks each VAPID signature and
// decrypts each message), sent by the worker process; messages per second,
// the worker's peak memory, and whether each recipient got its message once
// after the worker is killed a third of the way through.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../db/open';
import { outbox, pushSubscriptions } from '../db/schema';
import { newPublicId } from '../src/lib/ids';
import { openIncident } from '../src/lib/incidents/open-incident';
import { startSmtpSink } from '../tests/support/smtp-sink';
import { startReceiver } from '../tests/support/http-receiver';
import { startPushService } from '../tests/support/push-service';
import { vapidKeys } from '../src/lib/notifications/browser-push';
import { peakRssMb, tempDir } from './support';

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 10_000);
const CHANNELS = Number(process.env.FANOUT_CHANNELS ?? 300);
const BROWSERS = Number(process.env.FANOUT_BROWSERS ?? 1_000);
const RATE = Number(process.env.MAIL_PER_SECOND ?? 1_000);

export async function benchFanout(): Promise<void> {
  const tmp = tempDir('shirase-fanout-');
  const databasePath = join(tmp.dir, 'fanout.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const now = Date.now();
  db.$client.transaction(() => {
    const insert = db.$client.prepare(
      "insert into subscribers (id, email, locale, component_ids, status, permanent_failures, created_at, updated_at) values (?, ?, 'en', null, 'confirmed', 0, ?, ?)",
    );
    for (let i = 0; i < SUBSCRIBERS; i++) insert.run(newPublicId(), `reader${i}@example.com`, now, now);
  })();
  const receiver = await startReceiver((_req, res) => {
    res.writeHead(204);
    res.end();
  });
  const kinds = ['slack', 'teams', 'discord'] as const;
  db.$client.transaction(() => {
    const insert = db.$client.prepare(
      "insert into webhooks (id, kind, url, secret, component_ids, locale, added_by, confirmed_at, audience, created_at) values (?, ?, ?, 'whsec_unused', null, 'en', 'staff', ?, 'subscribers', ?)",
    );
    for (let i = 0; i < CHANNELS; i++) insert.run(newPublicId(), kinds[i % 3], `${receiver.url}/hook/${i}`, now, now);
  })();
  const push = await startPushService();
  const browsers: { clientHash: string }[] = [];
  for (let i = 0; i < BROWSERS; i++) {
    const browser = await push.subscribe(vapidKeys(db).publicKey);
    browsers.push(browser);
    db.insert(pushSubscriptions)
      .values({
        id: newPublicId(),
        endpoint: browser.endpoint,
        p256dh: browser.keys.p256dh,
        auth: browser.keys.auth,
        componentIds: null,
        locale: 'en',
        createdAt: now,
      })
      .run();
  }
  const total = SUBSCRIBERS + CHANNELS + BROWSERS;
  const sink = await startSmtpSink();
  const queued = performance.now();
  openIncident(db, { name: 'Fan-out benchmark', status: 'investigating', body: 'One event, every subscriber.', notify: true }, { now });
  const enqueueMs = performance.now() - queued;

  const started = performance.now();
  const startWorker = () =>
    spawn(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_PATH: databasePath,
        SMTP_URL: sink.url,
        MAIL_PER_SECOND: String(RATE),
        WORKER_IDLE_MS: '50',
        LEASE_SECONDS: '5',
        SITE_URL: 'https://status.example.com',
        // The chat receiver and the push service are on loopback, as a self-hosted chat server or push service would be listed.
        WEBHOOK_ALLOW_PRIVATE: '1',
        CHAT_WEBHOOK_HOSTS: receiver.url.replace('http://', ''),
        PUSH_SERVICE_HOSTS: push.host,
      },
      stdio: 'ignore',
    });
  let worker = startWorker();
  let peak = 0;
  let killed = false;
  const sent = () => db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'sent')).get()!.n;
  while (sent() < total && performance.now() - started < 180_000) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      peak = Math.max(peak, peakRssMb(worker.pid!));
    } catch {
      // The worker is between lives.
    }
    // A third of the way through, the worker is killed as a crash would kill it, and started again.
    if (!killed && sent() >= total / 3) {
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
  // A chat platform has no message id to drop repeats by: each hook should have been posted to once.
  const perHook = new Map<string, number>();
  for (const r of receiver.received) perHook.set(r.path, (perHook.get(r.path) ?? 0) + 1);
  const hooksOnce = perHook.size === CHANNELS && [...perHook.values()].every((n) => n === 1);
  const hookCopies = receiver.received.length - perHook.size;
  // A browser shows one notification per tag, so a repeat would replace the first; counted here all the same.
  const perBrowser = await Promise.all(browsers.map((b) => push.messages(b.clientHash)));
  const browsersOnce = perBrowser.every((m) => m.length === 1);
  const pushCopies = perBrowser.reduce((n, m) => n + Math.max(0, m.length - 1), 0);
  const seconds = (performance.now() - started) / 1000;
  const delivered = sent();
  worker.kill('SIGTERM');
  await sink.close();
  await receiver.close();
  await push.close();
  db.$client.close();
  tmp.cleanup();
  console.log(
    `Queued ${total.toLocaleString('en')} outbox rows (${SUBSCRIBERS} emails, ${CHANNELS} chat messages, ${BROWSERS} browser notifications) with the write in ${Math.round(enqueueMs)} ms.`,
  );
  console.log(
    `Delivered ${delivered.toLocaleString('en')} of ${total.toLocaleString('en')} in ${seconds.toFixed(1)} s (${Math.round(delivered / seconds)} messages/s, mail rate limit ${RATE}/s; target: all within 60 s).`,
  );
  console.log(`Worker peak RSS: ${peak} MB (target < 256 MB).`);
  console.log(
    `The worker was killed with SIGKILL a third of the way through and restarted: every subscriber got ${oneMessageEach ? 'exactly one message (one Message-ID)' : 'NOT exactly one message'}; ${resent} copies in flight at the kill were sent again with the same Message-ID.`,
  );
  console.log(
    `Chat: every hook was posted to ${hooksOnce ? 'exactly once' : 'NOT exactly once'} (${hookCopies} repeats). Push: every browser got ${browsersOnce ? 'exactly one notification' : 'NOT exactly one notification'} (${pushCopies} repeats), each accepted and decrypted by the push service.`,
  );
}
