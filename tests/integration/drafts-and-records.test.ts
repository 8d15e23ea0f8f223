import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import {
  auditLog,
  componentStatusChanges,
  incidentDrafts,
  incidents,
  incidentUpdates,
  notificationEvents,
  outbox,
  siteState,
  subscribers,
} from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { startSmtpSink } from '../support/smtp-sink';
import { signedInStaff } from '../support/staff';
import { until } from '../support/until';
import { newPublicId } from '../../src/lib/ids';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { loadIncident } from '../../src/lib/incidents/load-incidents';
import { toLocalInput } from '../../src/lib/admin/form-input';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { runMaintenanceWindows } from '../../src/lib/incidents/run-maintenance-windows';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { ShiraseError } from '../../src/lib/errors';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
const READER = 'draft-reader@example.com';

beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' } });
  const now = Date.now();
  site.db
    .insert(subscribers)
    .values({ id: newPublicId(), email: READER, locale: 'en', componentIds: null, status: 'confirmed', createdAt: now, updatedAt: now })
    .run();
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

const H = 3_600_000;
const local = (ms: number) => toLocalInput(ms, site.config.timeZone);
const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;
const rows = (
  table:
    | typeof incidents
    | typeof incidentUpdates
    | typeof incidentDrafts
    | typeof notificationEvents
    | typeof outbox
    | typeof componentStatusChanges
    | typeof auditLog,
) => site.db.select({ n: count() }).from(table).get()!.n;
const changeCounter = () => site.db.select().from(siteState).where(eq(siteState.key, 'change_counter')).get()?.value;
/** Every table a publication writes to, and the counter that tells the public pages to change. */
const publicState = () => ({
  incidents: rows(incidents),
  updates: rows(incidentUpdates),
  events: rows(notificationEvents),
  outbox: rows(outbox),
  statusChanges: rows(componentStatusChanges),
  counter: changeCounter(),
});
const draftIdFrom = (res: Response) => /[?&]draft=([a-z0-9]{12})/.exec(res.headers.get('location') ?? '')?.[1];
const incidentIdFrom = (res: Response) => /\/admin\/incidents\/([a-z0-9]{12})\?/.exec(res.headers.get('location') ?? '')?.[1];
const publicText = async (path: string) => (await fetch(site.url + path)).text();

describe('incident drafts', () => {
  it('keeps everything typed in a draft that no public page, feed, API or subscriber sees', async () => {
    const staff = await signedInStaff(site, 'editor');
    const web = component('Web app');
    const api = component('API');
    const before = publicState();
    const displayAt = local(Date.now() - 2 * H);
    const startedAt = local(Date.now() - 3 * H);
    const fields = {
      intent: 'draft',
      name: 'Draft: board exports stuck',
      'name:ja': '下書き:ボードの書き出しが止まる',
      status: 'identified',
      body: 'Exports queue but never finish.',
      'body:ja': '書き出しが終わりません。',
      [`component:${web.id}`]: 'partial_outage',
      [`component:${api.id}`]: 'degraded_performance',
      impact: 'major',
      displayAt,
      startedAt,
      notify: 'on',
    };
    const saved = await staff.post('/admin/incidents/new', fields);
    expect(saved.status).toBe(303);
    const draftId = draftIdFrom(saved)!;
    expect(draftId).toBeTruthy();
    expect(publicState()).toEqual(before);

    const form = await (await staff.get(`/admin/incidents/new?draft=${draftId}`)).text();
    expect(form).toContain('value="Draft: board exports stuck"');
    expect(form).toContain('value="下書き:ボードの書き出しが止まる"');
    expect(form).toContain('>書き出しが終わりません。</textarea>');
    expect(form).toContain('Exports queue but never finish.');
    expect(form).toMatch(/<option value="identified" selected/);
    expect(form).toMatch(/<option value="major" selected/);
    expect(form).toMatch(new RegExp(`name="component:${web.id}"[\\s\\S]*?<option value="partial_outage" selected`));
    expect(form).toMatch(new RegExp(`name="component:${api.id}"[\\s\\S]*?<option value="degraded_performance" selected`));
    expect(form).toContain(`value="${displayAt}"`);
    expect(form).toContain(`value="${startedAt}"`);
    expect(form).toContain('Publish incident');
    expect(await (await staff.get('/admin')).text()).toContain(`href="/admin/incidents/new?draft=${draftId}"`);

    for (const path of ['/', '/history', '/api/v2/incidents.json', '/api/v2/summary.json', '/feed.rss', '/ja/feed.rss', '/ja/history']) {
      const body = await publicText(path);
      expect(body, path).not.toContain('board exports stuck');
      expect(body, path).not.toContain('ボードの書き出し');
    }
    expect(await publicText('/history?q=exports')).not.toContain('board exports stuck');
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, draftId)).all();
    expect(audit.map((a) => a.action)).toEqual(['draft.create']);
    expect(audit[0]!.actorLabel).toBe(staff.email);
  });

  it('refuses to save over a draft someone else saved first, changing nothing', async () => {
    const staff = await signedInStaff(site);
    const draftId = draftIdFrom(await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Two editors', status: 'investigating', body: 'First.' }))!;
    expect(
      draftIdFrom(
        await staff.post('/admin/incidents/new', {
          intent: 'draft',
          draftId,
          draftVersion: '1',
          name: 'Two editors',
          status: 'investigating',
          body: 'Second.',
        }),
      ),
    ).toBe(draftId);
    const stale = await staff.post('/admin/incidents/new', {
      intent: 'draft',
      draftId,
      draftVersion: '1',
      name: 'Two editors',
      status: 'investigating',
      body: 'Third, from an old page.',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('Third, from an old page.');
    const stored = site.db.select().from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get()!;
    expect(JSON.parse(stored.input).body).toBe('Second.');
    expect(stored.version).toBe(2);
  });

  it('deletes a draft only after a yes, and for good', async () => {
    const staff = await signedInStaff(site);
    const draftId = draftIdFrom(
      await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Mistaken draft', status: 'investigating', body: 'Never mind.' }),
    )!;
    const asked = await staff.post('/admin/incidents/new', { intent: 'delete_draft', draftId, draftVersion: '1' });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('Delete this draft?');
    expect(rows(incidentDrafts)).toBeGreaterThan(0);
    expect(site.db.select().from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get()).toBeDefined();
    const deleted = await staff.post('/admin/incidents/new', { intent: 'delete_draft', draftId, draftVersion: '1', confirmed: 'yes' });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/admin?done=draftDeleted');
    expect(site.db.select().from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get()).toBeUndefined();
    expect((await staff.get(`/admin/incidents/new?draft=${draftId}`)).status).toBe(404);
    const actions = site.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, draftId))
      .all()
      .map((a) => a.action);
    expect(actions).toEqual(['draft.create', 'draft.delete']);
  });

  it('keeps what was typed when the draft was deleted meanwhile, and saves it as a new draft', async () => {
    const staff = await signedInStaff(site);
    const draftId = draftIdFrom(
      await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Gone meanwhile', status: 'investigating', body: 'First words.' }),
    )!;
    await staff.post('/admin/incidents/new', { intent: 'delete_draft', draftId, confirmed: 'yes' });
    const lost = await staff.post('/admin/incidents/new', {
      intent: 'draft',
      draftId,
      draftVersion: '1',
      name: 'Gone meanwhile',
      status: 'investigating',
      body: 'Words typed after it was deleted.',
    });
    expect(lost.status).toBe(404);
    const html = await lost.text();
    expect(html).toContain('Words typed after it was deleted.');
    expect(html).not.toContain(`value="${draftId}"`);
    const again = draftIdFrom(
      await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Gone meanwhile', status: 'investigating', body: 'Words typed after it was deleted.' }),
    )!;
    expect(again).not.toBe(draftId);
  });

  it('publishes a draft with a notification through the outbox to the SMTP server, and removes the draft', async () => {
    const staff = await signedInStaff(site, 'editor');
    const draftId = draftIdFrom(
      await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Calendar sync paused', status: 'investigating', body: 'Calendars stopped syncing.' }),
    )!;
    const published = await staff.post('/admin/incidents/new', {
      intent: 'open',
      draftId,
      draftVersion: '1',
      name: 'Calendar sync paused',
      status: 'investigating',
      body: 'Calendars stopped syncing at 10:00.',
      notify: 'on',
    });
    expect(published.status).toBe(303);
    const incidentId = incidentIdFrom(published)!;
    expect(site.db.select().from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get()).toBeUndefined();
    expect(loadIncident(site.db, incidentId)!.updates[0]!.body).toBe('Calendars stopped syncing at 10:00.');
    const mail = await until(() => sink.for(READER).find((m) => m.subject.includes('Calendar sync paused')));
    expect(mail.subject).toContain('Calendar sync paused');
    expect(await publicText(`/incidents/${incidentId}`)).toContain('Calendars stopped syncing at 10:00.');
    const audit = site.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, incidentId))
      .all()
      .map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['incident.open', 'draft.publish']));
  });

  it('publishes a draft quietly when notify is left off: no event, no outbox row', async () => {
    const staff = await signedInStaff(site);
    const draftId = draftIdFrom(
      await staff.post('/admin/incidents/new', { intent: 'draft', name: 'Quiet fix', status: 'resolved', body: 'Fixed before anyone noticed.' }),
    )!;
    const events = rows(notificationEvents);
    const published = await staff.post('/admin/incidents/new', {
      intent: 'open',
      draftId,
      draftVersion: '1',
      name: 'Quiet fix',
      status: 'resolved',
      body: 'Fixed before anyone noticed.',
    });
    const incidentId = incidentIdFrom(published)!;
    expect(incidentId).toBeTruthy();
    expect(site.db.select().from(notificationEvents).where(eq(notificationEvents.incidentId, incidentId)).all()).toEqual([]);
    expect(rows(notificationEvents)).toBe(events);
  });

  it('keeps the draft and writes nothing when publishing is refused', async () => {
    const staff = await signedInStaff(site);
    const draftId = draftIdFrom(await staff.post('/admin/incidents/new', { intent: 'draft', name: '', status: 'investigating', body: 'Name still to come.' }))!;
    const before = { ...publicState(), drafts: rows(incidentDrafts), audit: rows(auditLog) };
    const refused = await staff.post('/admin/incidents/new', {
      intent: 'open',
      draftId,
      draftVersion: '1',
      name: '',
      status: 'investigating',
      body: 'Name still to come.',
      notify: 'on',
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('Give it a name.');
    expect(html).toContain(`name="draftId" value="${draftId}"`);
    expect({ ...publicState(), drafts: rows(incidentDrafts), audit: rows(auditLog) }).toEqual(before);
  });
});

describe('writing an incident up after the event', () => {
  it('shows the "written after the event" note and notifies nobody, whatever the notify box says', async () => {
    const staff = await signedInStaff(site);
    const events = rows(notificationEvents);
    const res = await staff.post('/admin/incidents/new', {
      name: 'Written up: search outage',
      status: 'resolved',
      body: 'Search was down for an hour.',
      displayAt: local(Date.now() - 24 * H),
      backfilled: 'on',
      notify: 'on',
    });
    const id = incidentIdFrom(res)!;
    expect(loadIncident(site.db, id)!.backfilled).toBe(true);
    expect(rows(notificationEvents)).toBe(events);
    expect(await publicText(`/incidents/${id}`)).toContain('This timeline was written after the event');
  });

  it('leaves the note off an incident opened as it happens', async () => {
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/incidents/new', {
      name: 'Live: slow search',
      status: 'investigating',
      body: 'Search is slow.',
      displayAt: local(Date.now() - 24 * H),
    });
    const id = incidentIdFrom(res)!;
    expect(loadIncident(site.db, id)!.backfilled).toBe(false);
    expect(await publicText(`/incidents/${id}`)).not.toContain('written after the event');
  });
});

describe('past maintenance', () => {
  const window = () => ({ scheduledFor: local(Date.now() - 3 * H), scheduledUntil: local(Date.now() - 2 * H) });

  it('refuses a window that has ended on the form, keeping what was typed and writing nothing', async () => {
    const staff = await signedInStaff(site);
    const before = { ...publicState(), audit: rows(auditLog) };
    const fields = {
      name: 'Old disk swap',
      body: 'Disks were swapped.',
      ...window(),
      componentIds: [component('API').id],
      notify: 'on',
      autoTransitions: 'on',
    };
    const res = await staff.post('/admin/maintenance/new', fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('This maintenance window has already ended, so it was not scheduled');
    expect(html).toContain('This time has already passed.');
    expect(html).toContain('value="Old disk swap"');
    expect(html).toContain(`value="${fields.scheduledUntil}"`);
    expect({ ...publicState(), audit: rows(auditLog) }).toEqual(before);

    const ja = await staff.post('/ja/admin/maintenance/new', fields);
    expect(ja.status).toBe(422);
    expect(await ja.text()).toContain('このメンテナンスの時間帯はすでに終わっているため、予定しませんでした。');
  });

  it('records a window that has ended as completed past work when marked, telling nobody and never started by the timer', async () => {
    const staff = await signedInStaff(site);
    const events = rows(notificationEvents);
    const outboxRows = rows(outbox);
    const statusChanges = rows(componentStatusChanges);
    const res = await staff.post('/admin/maintenance/new', {
      name: 'Router firmware (record)',
      body: 'Routers were updated.',
      ...window(),
      componentIds: [component('API').id],
      notify: 'on',
      autoTransitions: 'on',
      pastRecord: 'on',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\?done=recorded$/);
    const id = incidentIdFrom(res)!;
    const m = loadIncident(site.db, id)!;
    expect(m.status).toBe('completed');
    expect(m.backfilled).toBe(true);
    expect(m.updates.map((u) => u.status)).toEqual(['in_progress', 'completed']);
    expect(runMaintenanceWindows(site.db, Date.now())).toBe(0);
    expect(loadIncident(site.db, id)!.updates).toHaveLength(2);
    expect(rows(notificationEvents)).toBe(events);
    expect(rows(outbox)).toBe(outboxRows);
    expect(rows(componentStatusChanges)).toBe(statusChanges);
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, id))
        .all()
        .map((a) => a.action),
    ).toEqual(['maintenance.record_past']);
  });

  it('refuses the mark on a window that has not ended', () => {
    const now = Date.now();
    let error: unknown;
    try {
      scheduleMaintenance(site.db, { name: 'Not yet', body: 'Soon.', scheduledFor: now + H, scheduledUntil: now + 2 * H, pastRecord: true }, { now });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShiraseError);
    expect((error as ShiraseError).key).toBe('errors.maintenance.notOverYet');
  });

  it('answers the schedule API with a stable code for a window that has ended, and records it quietly with past_record', async () => {
    const { token } = createApiToken(site.db, { name: `maintenance bot ${Math.random()}`, scopes: ['maintenance', 'read'] }, { now: Date.now() });
    const send = (body: unknown) =>
      fetch(`${site.url}/api/v1/maintenances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const body = {
      name: 'API-recorded patching',
      body: 'Patched.',
      scheduled_for: new Date(Date.now() - 5 * H).toISOString(),
      scheduled_until: new Date(Date.now() - 4 * H).toISOString(),
      notify: true,
    };
    const before = publicState();
    const refused = await send(body);
    expect(refused.status).toBe(422);
    const error = (await refused.json()).error;
    expect(error).toMatchObject({ code: 'VALIDATION', key: 'errors.maintenance.windowOver' });
    expect(error.fields).toEqual([expect.objectContaining({ field: 'scheduledUntil' })]);
    expect(publicState()).toEqual(before);

    const recorded = await send({ ...body, past_record: true });
    expect(recorded.status).toBe(201);
    const answer = await recorded.json();
    expect(answer.status).toBe('completed');
    expect(site.db.select().from(notificationEvents).where(eq(notificationEvents.incidentId, answer.id)).all()).toEqual([]);

    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    expect(doc.components.schemas.NewMaintenance.properties.past_record).toMatchObject({ type: 'boolean', default: false });
  });
});
