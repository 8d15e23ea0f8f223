import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { count, eq } from 'drizzle-orm';
import { outbox, subscribers } from '../../db/schema';
import { freshDatabase } from '../support/test-server';
import { startSmtpSink } from '../support/smtp-sink';
import { newPublicId } from '../../src/lib/ids';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { programArgs } from '../support/programs';

const SUBSCRIBERS = 150;
const { db, dir, databasePath } = freshDatabase();
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
const workers: ChildProcess[] = [];

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await sink?.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, programArgs('src/cli/worker.ts'), {
    env: {
      ...process.env,
      DATABASE_PATH: databasePath,
      SMTP_URL: sink.url,
      MAIL_PER_SECOND: '2000',
      WORKER_IDLE_MS: '50',
      LEASE_SECONDS: '2',
      SITE_URL: 'http://status.test',
    },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

async function until(check: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the delivery worker', () => {
  it('killed with SIGKILL mid-batch and restarted, gets every subscriber one message, with one Message-ID however often an in-flight one is resent', async () => {
    sink = await startSmtpSink({ delayMs: 15 });
    const now = Date.now();
    for (let i = 0; i < SUBSCRIBERS; i++) {
      db.insert(subscribers)
        .values({ id: newPublicId(), email: `crash${i}@example.com`, locale: 'en', componentIds: null, status: 'confirmed', createdAt: now, updatedAt: now })
        .run();
    }
    openIncident(db, { name: 'Crash test', status: 'investigating', body: 'Delivered once each.', notify: true }, { now });

    const first = startWorker();
    await until(() => sink.received.length >= 20, 20_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = sink.received.length;
    expect(atKill).toBeLessThan(SUBSCRIBERS);

    startWorker();
    await until(() => db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'sent')).get()!.n === SUBSCRIBERS, 30_000);

    for (let i = 0; i < SUBSCRIBERS; i++) {
      const mails = sink.for(`crash${i}@example.com`);
      expect(mails.length, `crash${i}`).toBeGreaterThanOrEqual(1);
      // A message caught in flight by the kill may arrive twice, but as the same message: one Message-ID per pair.
      expect(new Set(mails.map((m) => m.messageId)).size, `crash${i}`).toBe(1);
    }
    const duplicates = sink.received.length - SUBSCRIBERS;
    // Only what was in flight at the moment of the kill can repeat.
    expect(duplicates).toBeLessThanOrEqual(50);
  });
});
