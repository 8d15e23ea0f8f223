import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { incidents, incidentUpdates, maintenanceSeries, notificationEvents } from '../../db/schema';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { cancelMaintenance } from '../../src/lib/incidents/cancel-maintenance';
import { editIncident } from '../../src/lib/incidents/edit-incident';
import { enqueueMaintenanceReminders, runMaintenanceWindows } from '../../src/lib/incidents/run-maintenance-windows';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { expandOccurrences, parseCalendar } from '../support/calendar';
import { until } from '../support/until';
import { createApiToken } from '../../src/lib/auth/create-api-token';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true, env: { TIME_ZONE: 'America/New_York' } });
});
afterAll(async () => {
  await site?.close();
});

const HOUR = 3_600_000;
const NEW_YORK = 'America/New_York';
// Saturday 6 March 2027, 10:00 EST; New York moves its clocks forward on 14 March.
const FIRST = Date.UTC(2027, 2, 6, 15, 0);
const PLANNED = Date.UTC(2027, 1, 1);

function windowsOf(seriesId: string) {
  return site.db.select().from(incidents).where(eq(incidents.seriesId, seriesId)).orderBy(asc(incidents.scheduledFor)).all();
}

function schedule(name: string, extra: Partial<Parameters<typeof scheduleMaintenance>[1]> = {}) {
  return scheduleMaintenance(
    site.db,
    {
      name,
      body: `${name} work.`,
      scheduledFor: FIRST,
      scheduledUntil: FIRST + HOUR,
      repeat: 'weekly',
      repeatCount: 4,
      repeatTimeZone: NEW_YORK,
      notify: true,
      ...extra,
    },
    { now: PLANNED },
  );
}

describe('recurring maintenance', () => {
  // First: later tests run the maintenance timers years ahead, which starts and ends the demo's windows.
  it('shows the demo’s weekly window once on the status page, saying how many follow, in both languages', async () => {
    const en = await (await fetch(`${site.url}/`)).text();
    expect(en.split('Weekly search index rebuild</a>')).toHaveLength(2);
    expect(en).toContain('Repeats: 7 more planned after this one.');
    const ja = await (await fetch(`${site.url}/ja/`)).text();
    expect(ja).toContain('さらに 7 回予定しています');
    // The Statuspage API still lists every window, as Statuspage does.
    const upcoming = (await (await fetch(`${site.url}/api/v2/scheduled-maintenances/upcoming.json`)).json()) as { scheduled_maintenances: { name: string }[] };
    expect(upcoming.scheduled_maintenances.filter((m) => m.name === 'Weekly search index rebuild')).toHaveLength(8);
  });

  it('shows the weekly window once in the history, saying how many follow, and announces it once in every feed', async () => {
    for (const [path, repeats] of [
      ['/en/history', 'Repeats: 7 more planned after this one.'],
      ['/ja/history', 'さらに 7 回予定しています'],
    ] as const) {
      const history = await (await fetch(site.url + path)).text();
      expect(history.match(/>(Weekly search index rebuild|毎週の検索インデックス再構築)<\/a>/g), path).toHaveLength(1);
      expect(history).toContain(repeats);
    }
    for (const path of ['/feed.rss', '/feed.atom', '/feed.json', '/ja/feed.rss']) {
      const feed = await (await fetch(site.url + path)).text();
      expect(feed.match(/Weekly search index rebuild|毎週の検索インデックス再構築/g), path).toHaveLength(1);
    }
  });

  it('makes one window per occurrence at the same New York wall-clock time across the daylight-saving change, announced once', () => {
    const { seriesId } = schedule('Weekly patching');
    const windows = windowsOf(seriesId!);
    expect(windows.map((w) => new Date(w.scheduledFor!).toISOString())).toEqual([
      '2027-03-06T15:00:00.000Z',
      '2027-03-13T15:00:00.000Z',
      '2027-03-20T14:00:00.000Z',
      '2027-03-27T14:00:00.000Z',
    ]);
    expect(windows.every((w) => w.scheduledUntil! - w.scheduledFor! === HOUR && w.status === 'scheduled' && w.occurrenceStart === w.scheduledFor)).toBe(true);
    expect(site.db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, seriesId!)).get()).toMatchObject({
      rule: 'FREQ=WEEKLY;COUNT=4',
      timeZone: NEW_YORK,
      firstStart: FIRST,
    });
    const announced = site.db
      .select()
      .from(notificationEvents)
      .all()
      .filter((e) => windows.some((w) => w.id === e.incidentId) && e.kind === 'maintenance_scheduled');
    expect(announced.map((e) => e.incidentId)).toEqual([windows[0]!.id]);
  });

  it('starts, ends and reminds of each occurrence on its own clock, through the maintenance timers', () => {
    const { seriesId } = schedule('Timer patching');
    const [first, second, third] = windowsOf(seriesId!);
    const status = () => windowsOf(seriesId!).map((w) => w.status);
    // The reminder an hour ahead reaches the second window only, once.
    const reminded = () =>
      site.db
        .select()
        .from(notificationEvents)
        .where(and(eq(notificationEvents.kind, 'maintenance_reminder')))
        .all()
        .filter((e) => e.incidentId === second!.id).length;
    enqueueMaintenanceReminders(site.db, second!.scheduledFor! - 30 * 60_000, 60);
    enqueueMaintenanceReminders(site.db, second!.scheduledFor! - 10 * 60_000, 60);
    expect(reminded()).toBe(1);

    runMaintenanceWindows(site.db, first!.scheduledFor! + 60_000);
    expect(status()).toEqual(['in_progress', 'scheduled', 'scheduled', 'scheduled']);
    runMaintenanceWindows(site.db, first!.scheduledUntil! + 60_000);
    expect(status()).toEqual(['completed', 'scheduled', 'scheduled', 'scheduled']);
    runMaintenanceWindows(site.db, third!.scheduledFor! + 60_000);
    expect(status()).toEqual(['completed', 'completed', 'in_progress', 'scheduled']);
    // Each started at its own window's start, after the change as before it.
    const started = site.db.select().from(incidentUpdates).where(eq(incidentUpdates.status, 'in_progress')).all();
    expect(started.find((u) => u.incidentId === third!.id)?.displayAt).toBe(Date.UTC(2027, 2, 20, 14, 0));
  });

  it('puts the series in the calendar as one event with RRULE, EXDATE for a cancelled occurrence and an override for a renamed one', async () => {
    const { seriesId, incidentId } = schedule('Calendar patching');
    const windows = windowsOf(seriesId!);
    cancelMaintenance(site.db, windows[1]!.id, {}, { now: PLANNED });
    editIncident(site.db, windows[2]!.id, { name: 'Calendar patching (kernel)' }, { now: PLANNED });
    const uid = `${seriesId}@${new URL(site.url).host}`;
    const text = await until(async () => {
      const body = await (await fetch(`${site.url}/maintenance.ics`)).text();
      return body.includes('Calendar patching (kernel)') ? body : undefined;
    });
    const events = parseCalendar(text).events.filter((e) => e.uid === uid);
    expect(events).toHaveLength(2);
    const [master, renamed] = events;
    expect(master).toMatchObject({
      rrule: 'FREQ=WEEKLY;COUNT=4',
      tzid: NEW_YORK,
      start: FIRST,
      end: FIRST + HOUR,
      summary: 'Calendar patching',
      recurrenceId: null,
    });
    expect(master!.exdates).toEqual([windows[1]!.scheduledFor]);
    expect(renamed).toMatchObject({ recurrenceId: windows[2]!.scheduledFor, start: windows[2]!.scheduledFor, summary: 'Calendar patching (kernel)' });
    // A calendar client expanding the rule lands on the windows that remain, at their New York times.
    expect(expandOccurrences(text, uid)).toEqual([windows[0]!, windows[2]!, windows[3]!].map((w) => w.scheduledFor));
    // One window's "Add to calendar" gives the same repeating event.
    const own = await (await fetch(`${site.url}/incidents/${incidentId}.ics`)).text();
    expect(parseCalendar(own).events.map((e) => e.uid)).toEqual([uid, uid]);
    expect(expandOccurrences(own, uid)).toEqual(expandOccurrences(text, uid));
  });

  it('is scheduled from the admin form, and staff rename or cancel the upcoming windows of the series from any of them', async () => {
    const staff = await signedInStaff(site);
    const refused = await staff.post('/admin/maintenance/new', {
      name: 'Monthly',
      body: 'x',
      scheduledFor: '2030-01-31T01:00',
      scheduledUntil: '2030-01-31T02:00',
      repeat: 'monthly',
      repeatCount: '3',
      repeatUntil: '2030-06-01',
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Say when the repeats end');
    const res = await staff.post('/admin/maintenance/new', {
      name: 'Monthly backup test',
      body: 'Restore drill.',
      scheduledFor: '2030-01-31T01:00',
      scheduledUntil: '2030-01-31T02:00',
      repeat: 'monthly',
      repeatUntil: '2030-06-01',
      autoTransitions: 'on',
    });
    expect(res.status).toBe(303);
    const firstId = /\/admin\/incidents\/([a-z0-9]{12})/.exec(res.headers.get('location')!)![1]!;
    const seriesId = site.db.select({ s: incidents.seriesId }).from(incidents).where(eq(incidents.id, firstId)).get()!.s!;
    // 31 January, March and May: months without a 31st are skipped.
    expect(windowsOf(seriesId).map((w) => new Date(w.scheduledFor!).toISOString())).toEqual([
      '2030-01-31T06:00:00.000Z',
      '2030-03-31T05:00:00.000Z',
      '2030-05-31T05:00:00.000Z',
    ]);

    const page = await (await staff.get(`/admin/incidents/${firstId}`)).text();
    expect(page).toContain('Repeating maintenance');
    const renamed = await staff.post(`/admin/incidents/${firstId}`, { intent: 'series_rename', seriesName: 'Quarterly restore drill' });
    expect(renamed.status).toBe(303);
    expect(windowsOf(seriesId).map((w) => w.name)).toEqual(['Quarterly restore drill', 'Quarterly restore drill', 'Quarterly restore drill']);
    // The first has begun: cancelling the series reaches only the ones still ahead.
    runMaintenanceWindows(site.db, Date.UTC(2030, 0, 31, 6, 1));
    const cancelled = await staff.post(`/admin/incidents/${firstId}`, { intent: 'series_cancel', notify: 'on', confirmed: 'yes' });
    expect(cancelled.status).toBe(303);
    expect(windowsOf(seriesId).map((w) => w.status)).toEqual(['in_progress', 'completed', 'completed']);
  });

  it('moves one occurrence on its own from the admin: the timers, the reminder and the calendar follow, and a started window cannot move', async () => {
    const { seriesId } = schedule('Movable patching');
    const [, second] = windowsOf(seriesId!);
    // The reminder for the old start went out before the move.
    enqueueMaintenanceReminders(site.db, second!.scheduledFor! - 30 * 60_000, 60);
    const staff = await signedInStaff(site);
    const page = await (await staff.get(`/admin/incidents/${second!.id}`)).text();
    expect(page).toContain('Move this window');
    // A later day, 90 minutes long: typed as New York wall-clock time.
    const newStart = second!.scheduledFor! + 2 * 24 * HOUR;
    const local = (ms: number) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: NEW_YORK, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
        .format(ms)
        .replace(' ', 'T');
    const backwards = await staff.post(`/admin/incidents/${second!.id}`, {
      intent: 'reschedule',
      scheduledFor: local(newStart),
      scheduledUntil: local(newStart - HOUR),
      notify: 'on',
    });
    expect(backwards.status).toBe(422);
    // What was typed stays in the form.
    expect(await backwards.text()).toContain(`value="${local(newStart)}"`);
    const moved = await staff.post(`/admin/incidents/${second!.id}`, {
      intent: 'reschedule',
      scheduledFor: local(newStart),
      scheduledUntil: local(newStart + 90 * 60_000),
      notify: 'on',
    });
    expect(moved.status).toBe(303);
    const after = site.db.select().from(incidents).where(eq(incidents.id, second!.id)).get()!;
    expect(after).toMatchObject({
      scheduledFor: newStart,
      scheduledUntil: newStart + 90 * 60_000,
      occurrenceStart: second!.scheduledFor,
      sequence: second!.sequence + 1,
    });
    const events = site.db
      .select()
      .from(notificationEvents)
      .all()
      .filter((e) => e.incidentId === second!.id);
    expect(events.filter((e) => e.kind === 'maintenance_rescheduled')).toHaveLength(1);
    // The reminder is sent again for the new start, once.
    enqueueMaintenanceReminders(site.db, newStart - 30 * 60_000, 60);
    enqueueMaintenanceReminders(site.db, newStart - 20 * 60_000, 60);
    expect(
      site.db
        .select()
        .from(notificationEvents)
        .all()
        .filter((e) => e.incidentId === second!.id && e.kind === 'maintenance_reminder'),
    ).toHaveLength(2);
    // The timers start it at its new time, not its old one.
    runMaintenanceWindows(site.db, second!.scheduledFor! + 60_000);
    expect(site.db.select().from(incidents).where(eq(incidents.id, second!.id)).get()!.status).toBe('scheduled');
    // The calendar keeps the occurrence and shows it moved, as an override with its RECURRENCE-ID.
    const uid = `${seriesId}@${new URL(site.url).host}`;
    const text = await until(async () => {
      const body = await (await fetch(`${site.url}/maintenance.ics`)).text();
      return parseCalendar(body).events.some((e) => e.uid === uid && e.recurrenceId !== null) ? body : undefined;
    });
    const override = parseCalendar(text).events.find((e) => e.uid === uid && e.recurrenceId !== null)!;
    expect(override).toMatchObject({ recurrenceId: second!.scheduledFor, start: newStart, end: newStart + 90 * 60_000 });
    expect(expandOccurrences(text, uid)).toContain(newStart);
    expect(expandOccurrences(text, uid)).not.toContain(second!.scheduledFor);

    runMaintenanceWindows(site.db, newStart + 60_000);
    const late = await staff.post(`/admin/incidents/${second!.id}`, {
      intent: 'reschedule',
      scheduledFor: local(newStart + 24 * HOUR),
      scheduledUntil: local(newStart + 25 * HOUR),
    });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('already started');
  });

  it('repeats and moves windows through the write API', async () => {
    const token = createApiToken(site.db, { name: 'maintenance', scopes: ['maintenance'] }, { now: Date.now() }).token;
    const call = (method: string, path: string, body: unknown) =>
      fetch(`${site.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const start = new Date(Date.now() + 72 * HOUR).toISOString();
    const end = new Date(Date.now() + 73 * HOUR).toISOString();
    const refused = await call('POST', '/maintenances', {
      name: 'API weekly',
      body: 'x',
      scheduled_for: start,
      scheduled_until: end,
      repeat: { frequency: 'daily', count: 3 },
    });
    expect(refused.status).toBe(422);
    const created = await call('POST', '/maintenances', {
      name: 'API weekly',
      body: 'Weekly work.',
      scheduled_for: start,
      scheduled_until: end,
      repeat: { frequency: 'weekly', count: 3 },
    });
    expect(created.status).toBe(201);
    const first = (await created.json()) as { id: string };
    const seriesId = site.db.select({ s: incidents.seriesId }).from(incidents).where(eq(incidents.id, first.id)).get()!.s!;
    const windows = windowsOf(seriesId);
    expect(windows).toHaveLength(3);
    const target = windows[2]!;
    const newStart = target.scheduledFor! + 3 * HOUR;
    const moved = await call('PATCH', `/maintenances/${target.id}`, {
      scheduled_for: new Date(newStart).toISOString(),
      scheduled_until: new Date(newStart + HOUR).toISOString(),
      version: target.version,
    });
    expect(moved.status).toBe(200);
    expect(site.db.select().from(incidents).where(eq(incidents.id, target.id)).get()!.scheduledFor).toBe(newStart);
    // The same version again is someone else's save in between: a conflict naming what is stored now.
    const stale = await call('PATCH', `/maintenances/${target.id}`, { scheduled_for: start, scheduled_until: end, version: target.version });
    expect(stale.status).toBe(409);
  });
});
