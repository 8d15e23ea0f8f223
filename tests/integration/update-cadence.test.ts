import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { and, eq, isNotNull } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { auditLog, incidents, notificationEvents, outbox, subscribers, webhooks } from '../../db/schema';
import { openDatabase, type Db } from '../../db/open';
import { parseConfig } from '../../src/lib/config';
import { createUser } from '../../src/lib/auth/create-user';
import { disableUser } from '../../src/lib/auth/disable-user';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { remindMissedCadences } from '../../src/lib/cadence/remind-missed-cadence';
import { setUpdateCadence } from '../../src/lib/cadence/set-update-cadence';
import { createCourier } from '../../src/lib/notifications/courier';
import { deliverBatch } from '../../src/lib/notifications/deliver';
import { ShiraseError } from '../../src/lib/errors';
import { newPublicId } from '../../src/lib/ids';
import type { Actor } from '../../src/lib/write-context';
import { until } from '../support/until';
import { freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { startSmtpSink } from '../support/smtp-sink';

const MINUTE = 60_000;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let db: Db;
let dir: string;
let databasePath: string;
let opener: Actor;
let poster: Actor;
let bystander: Actor;
let counter = 0;

async function staff(role: 'admin' | 'editor'): Promise<Actor> {
  const email = `cadence-${role}-${++counter}@example.com`;
  const { userId } = await createUser(db, { email, role, password: 'correct horse battery staple' }, { now: Date.now() });
  return { kind: 'user', id: userId, label: email };
}

/** Sends what the outbox holds through the real courier to the loopback SMTP server. */
async function deliver(now: number, env: Record<string, string> = {}) {
  const config = parseConfig({
    DATABASE_PATH: databasePath,
    SMTP_URL: sink.url,
    MAIL_PER_SECOND: '1000',
    TIME_ZONE: 'Asia/Tokyo',
    SITE_URL: 'http://127.0.0.1:4321',
    SITE_NAME: 'Shirase',
    ...env,
  });
  const courier = createCourier(config);
  try {
    return await deliverBatch(db, { config, courier, now: () => now });
  } finally {
    courier.close();
  }
}

/** The mails a staff member received about one incident, decoded. */
async function mailsAbout(to: string, incidentId: string): Promise<ParsedMail[]> {
  const all = await Promise.all(sink.for(to).map((m) => simpleParser(m.raw)));
  return all.filter((m) => (m.text ?? '').includes(`/admin/incidents/${incidentId}`));
}
const rowsFor = (eventId: number) => db.select().from(outbox).where(eq(outbox.eventId, eventId)).all();
const remindersOf = (incidentId: string) =>
  db
    .select()
    .from(notificationEvents)
    .where(and(eq(notificationEvents.incidentId, incidentId), eq(notificationEvents.kind, 'cadence_reminder')))
    .all();

beforeAll(async () => {
  sink = await startSmtpSink();
  ({ db, dir, databasePath } = freshDatabase({ seed: false }));
  opener = await staff('admin');
  poster = await staff('editor');
  bystander = await staff('admin');
  // Readers and a webhook that must never hear about a reminder meant for staff.
  db.insert(subscribers)
    .values({ id: newPublicId(), email: 'reader@example.com', locale: 'en', status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() })
    .run();
  db.insert(webhooks).values({ id: newPublicId(), url: 'http://127.0.0.1:9/hook', secret: 's', createdAt: Date.now() }).run();
});
afterAll(async () => {
  db?.$client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await sink?.close();
});

describe('missed update cadence', () => {
  it('reminds the staff on the incident once when the cadence passes, by email, and nobody else', async () => {
    const t0 = Date.now() - 5 * 3_600_000;
    const { incidentId } = openIncident(
      db,
      { name: 'Checkout errors', status: 'investigating', body: 'Looking into failed payments.', notify: true },
      { now: t0, actor: opener },
    );
    postIncidentUpdate(db, incidentId, { status: 'identified', body: 'A bad deploy; rolling back.', notify: true }, { now: t0 + 10 * MINUTE, actor: poster });
    const lastAt = t0 + 10 * MINUTE;

    expect(remindMissedCadences(db, lastAt + 59 * MINUTE)).toBe(0);
    expect(remindMissedCadences(db, lastAt + 60 * MINUTE)).toBe(1);
    // The next ticks, and another process's connection, find it already sent.
    expect(remindMissedCadences(db, lastAt + 61 * MINUTE)).toBe(0);
    const other = openDatabase(databasePath);
    try {
      expect(remindMissedCadences(other, lastAt + 62 * MINUTE)).toBe(0);
    } finally {
      other.$client.close();
    }

    const [event] = remindersOf(incidentId);
    expect(remindersOf(incidentId)).toHaveLength(1);
    const rows = rowsFor(event!.id);
    expect(rows.map((r) => r.userId).sort()).toEqual([opener.id, poster.id].sort());
    expect(rows.every((r) => r.subscriberId === null && r.webhookId === null && r.channel === 'email')).toBe(true);
    expect(db.select({ at: incidents.cadenceRemindedFor }).from(incidents).where(eq(incidents.id, incidentId)).get()!.at).toBe(lastAt);

    await deliver(lastAt + 61 * MINUTE);
    const [message] = await mailsAbout(opener.label, incidentId);
    expect(message).toBeDefined();
    expect(message!.subject).toBe('[Shirase] No public update for 1 h: Checkout errors');
    expect(message!.text).toContain('Customers last heard from us 1 h ago');
    expect(message!.text).toContain('(Asia/Tokyo)');
    expect(message!.text).toContain('The update cadence of this incident is 60 minutes.');
    expect(message!.text).toContain(`http://127.0.0.1:4321/admin/incidents/${incidentId}`);
    // Staff mail is no list: nothing to unsubscribe from.
    expect(message!.headers.has('list-unsubscribe')).toBe(false);
    expect(await mailsAbout(poster.label, incidentId)).toHaveLength(1);
    expect(sink.for(bystander.label)).toHaveLength(0);
    expect(sink.for('reader@example.com').some((m) => m.subject.includes('No public update'))).toBe(false);
    expect(rowsFor(event!.id).every((r) => r.status === 'sent')).toBe(true);
  });

  it('reminds again only after the next cadence following a new update passes', () => {
    const t0 = Date.now() - 6 * 3_600_000;
    const { incidentId } = openIncident(
      db,
      { name: 'Slow search', status: 'investigating', body: 'Search is slow.', notify: false },
      { now: t0, actor: opener },
    );
    setUpdateCadence(db, incidentId, { minutes: 30 }, { now: t0, actor: opener });
    expect(remindMissedCadences(db, t0 + 30 * MINUTE)).toBe(1);
    expect(remindMissedCadences(db, t0 + 90 * MINUTE)).toBe(0);
    postIncidentUpdate(db, incidentId, { status: 'monitoring', body: 'A fix is out; watching.', notify: false }, { now: t0 + 100 * MINUTE, actor: poster });
    expect(remindMissedCadences(db, t0 + 129 * MINUTE)).toBe(0);
    expect(remindMissedCadences(db, t0 + 130 * MINUTE)).toBe(1);
    expect(remindMissedCadences(db, t0 + 200 * MINUTE)).toBe(0);
    expect(remindersOf(incidentId).map((e) => Number(e.ref))).toEqual([t0, t0 + 100 * MINUTE]);
  });

  it('counts a back-dated update by its display time', () => {
    const now = Date.now();
    const { incidentId } = openIncident(
      db,
      { name: 'Backfilled silence', status: 'investigating', body: 'Written late.', notify: false, displayAt: now - 3 * 3_600_000 },
      { now, actor: opener },
    );
    expect(remindMissedCadences(db, now)).toBeGreaterThanOrEqual(1);
    expect(remindersOf(incidentId)).toHaveLength(1);
  });

  it('never reminds about a resolved incident or about maintenance', () => {
    const t0 = Date.now() - 8 * 3_600_000;
    const { incidentId } = openIncident(
      db,
      { name: 'Short blip', status: 'investigating', body: 'Errors for a minute.', notify: false },
      { now: t0, actor: opener },
    );
    resolveIncident(db, incidentId, { body: 'Recovered.', displayAt: t0 + 5 * MINUTE }, { now: t0 + 5 * MINUTE, actor: opener });
    const maintenance = scheduleMaintenance(
      db,
      { name: 'Quiet window', body: 'Planned work.', scheduledFor: t0 + 3_600_000, scheduledUntil: t0 + 30 * 3_600_000 },
      { now: t0, actor: opener },
    );
    remindMissedCadences(db, t0 + 10 * 3_600_000);
    expect(remindersOf(incidentId)).toHaveLength(0);
    expect(remindersOf(maintenance.incidentId)).toHaveLength(0);
  });

  it('falls back to every enabled admin when no staff account worked on the incident', async () => {
    const t0 = Date.now() - 3 * 3_600_000;
    const gone = await staff('admin');
    disableUser(db, gone.id!, { now: t0, actor: opener });
    const { incidentId } = openIncident(db, { name: 'Opened by the API', status: 'investigating', body: 'Raised by monitoring.', notify: false }, { now: t0 });
    remindMissedCadences(db, t0 + 61 * MINUTE);
    const [event] = remindersOf(incidentId);
    const to = rowsFor(event!.id)
      .map((r) => r.userId)
      .sort();
    expect(to).toEqual([opener.id, bystander.id].sort());
    expect(to).not.toContain(poster.id);
    expect(to).not.toContain(gone.id);
  });

  it('writes the reminder in the site language, Japanese included', async () => {
    const t0 = Date.now() - 2 * 3_600_000;
    const { incidentId } = openIncident(
      db,
      { name: 'ログインできない', status: 'investigating', body: '調査中です。', notify: false },
      { now: t0, actor: poster },
    );
    remindMissedCadences(db, t0 + 90 * MINUTE);
    expect(await deliver(t0 + 90 * MINUTE, { DEFAULT_LOCALE: 'ja' })).toMatchObject({ failed: 0 });
    const [message] = await mailsAbout(poster.label, incidentId);
    expect(message).toBeDefined();
    expect(message!.subject).toBe('[Shirase] 公開更新が 1時間 30分 ありません:ログインできない');
    expect(message!.text).toContain('お客様への最後の公開更新は 1時間 30分 前');
    expect(message!.text).toContain('(Asia/Tokyo)');
    expect(message!.text).toContain(`http://127.0.0.1:4321/admin/incidents/${incidentId}`);
  });
});

describe('changing the cadence', () => {
  it('accepts 5 to 1440 minutes, audited, and refuses anything else with the database unchanged', () => {
    const now = Date.now();
    const { incidentId } = openIncident(
      db,
      { name: 'Cadence limits', status: 'investigating', body: 'Testing limits.', notify: false },
      { now, actor: opener },
    );
    const stored = () => db.select({ minutes: incidents.updateCadenceMinutes }).from(incidents).where(eq(incidents.id, incidentId)).get()!.minutes;
    const audits = () =>
      db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, incidentId), eq(auditLog.action, 'incident.set_cadence')))
        .all();
    expect(stored()).toBe(60);
    for (const minutes of [4, 1441, 12.5, Number.NaN, 0, -30]) {
      const attempt = () => setUpdateCadence(db, incidentId, { minutes }, { now, actor: poster });
      expect(attempt).toThrow(ShiraseError);
      try {
        attempt();
      } catch (error) {
        expect((error as ShiraseError).code).toBe('VALIDATION');
        expect((error as ShiraseError).options.fields?.[0]).toMatchObject({ field: 'minutes', key: 'errors.field.cadenceRange' });
      }
      expect(stored()).toBe(60);
    }
    expect(audits()).toHaveLength(0);
    setUpdateCadence(db, incidentId, { minutes: 5 }, { now, actor: poster });
    expect(stored()).toBe(5);
    setUpdateCadence(db, incidentId, { minutes: 1440 }, { now, actor: poster });
    expect(stored()).toBe(1440);
    expect(audits().map((a) => [a.actorId, JSON.parse(a.before!), JSON.parse(a.after!)])).toEqual([
      [poster.id, { updateCadenceMinutes: 60 }, { updateCadenceMinutes: 5 }],
      [poster.id, { updateCadenceMinutes: 5 }, { updateCadenceMinutes: 1440 }],
    ]);
  });

  it('is refused for maintenance and for a resolved incident', () => {
    const now = Date.now();
    const m = scheduleMaintenance(
      db,
      { name: 'No cadence here', body: 'Planned.', scheduledFor: now + 3_600_000, scheduledUntil: now + 7_200_000 },
      { now, actor: opener },
    );
    expect(() => setUpdateCadence(db, m.incidentId, { minutes: 30 }, { now, actor: opener })).toThrow(/update cadence/i);
    const { incidentId } = openIncident(db, { name: 'Already over', status: 'investigating', body: 'Brief.', notify: false }, { now, actor: opener });
    resolveIncident(db, incidentId, { body: 'Done.' }, { now, actor: opener });
    expect(() => setUpdateCadence(db, incidentId, { minutes: 30 }, { now, actor: opener })).toThrow(ShiraseError);
    expect(
      db
        .select()
        .from(incidents)
        .where(and(isNotNull(incidents.id), eq(incidents.id, incidentId)))
        .get()!.updateCadenceMinutes,
    ).toBe(60);
  });
});

describe('the cadence form on the incident page', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: false });
  });
  afterAll(async () => {
    await site?.close();
  });

  it('lets an editor change it, and answers a value out of range with the form and the database unchanged', async () => {
    const editor = await signedInStaff(site, 'editor');
    const { incidentId } = openIncident(
      site.db,
      { name: 'Form cadence', status: 'investigating', body: 'Checking the form.', notify: false },
      { now: Date.now() },
    );
    const stored = () => site.db.select({ minutes: incidents.updateCadenceMinutes }).from(incidents).where(eq(incidents.id, incidentId)).get()!.minutes;
    const refused = await editor.post(`/admin/incidents/${incidentId}`, { intent: 'set_cadence', minutes: '1441' });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('Give a whole number of minutes from 5 to 1440.');
    expect(page).toMatch(/id="minutes"[^>]*value="1441"/);
    expect(stored()).toBe(60);
    const saved = await editor.post(`/admin/incidents/${incidentId}`, { intent: 'set_cadence', minutes: '15' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/admin/incidents/${incidentId}?done=cadence`);
    expect(stored()).toBe(15);
    const dashboard = await (await editor.get('/ja/admin')).text();
    expect(dashboard).toContain('更新間隔:15 分ごと');
  });

  it('shows editors how the latest notifications are delivered, but the addresses and failing webhooks to admins only', async () => {
    const reader = `dashboard-reader-${Date.now()}@example.com`;
    const hookUrl = `http://127.0.0.1:9/dashboard-hook-${Date.now()}`;
    const subscriberId = newPublicId();
    site.db
      .insert(subscribers)
      .values({ id: subscriberId, email: reader, locale: 'en', status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() })
      .run();
    site.db.insert(webhooks).values({ id: newPublicId(), url: hookUrl, secret: 's', createdAt: Date.now() }).run();
    openIncident(site.db, { name: 'Delivery watch', status: 'investigating', body: 'Mail and hooks go out.', notify: true }, { now: Date.now() });
    const [event] = site.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'incident_opened')).all().slice(-1);
    // Once the worker has settled both rows, they are made to look refused for good.
    await until(
      () =>
        site.db
          .select()
          .from(outbox)
          .where(eq(outbox.eventId, event!.id))
          .all()
          .every((r) => r.status === 'sent' || r.status === 'failed') || undefined,
    );
    site.db
      .update(outbox)
      .set({ status: 'failed', attempts: 1, lastError: '550 No such user here' })
      .where(and(eq(outbox.eventId, event!.id), eq(outbox.subscriberId, subscriberId)))
      .run();
    site.db
      .update(outbox)
      .set({ status: 'failed', attempts: 1, lastError: 'http_status:500' })
      .where(and(eq(outbox.eventId, event!.id), isNotNull(outbox.webhookId)))
      .run();

    const editor = await signedInStaff(site, 'editor');
    const forEditor = await (await editor.get('/admin')).text();
    expect(forEditor).toContain('Latest notifications');
    expect(forEditor).toMatch(/0 sent, 0 pending, 2 failed of 2/);
    expect(forEditor).not.toContain(reader);
    expect(forEditor).not.toContain(hookUrl);
    expect(forEditor).not.toContain('Failing webhooks');

    const admin = await signedInStaff(site, 'admin');
    const forAdmin = await (await admin.get('/admin')).text();
    expect(forAdmin).toContain(`${reader}: 550 No such user here`);
    expect(forAdmin).toContain('Failing webhooks');
    expect(forAdmin).toContain(hookUrl);
  });
});
