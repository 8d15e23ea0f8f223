import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/open';
import {
  auditLog,
  componentGroups,
  componentStatusChanges,
  components,
  importedRecords,
  incidentComponents,
  incidentUpdates,
  incidents,
  notificationEvents,
  outbox,
  subscribers,
} from '../../db/schema';
import { importStatuspage, readStatuspage, type ImportReport } from '../../src/lib/import/statuspage';
import { MAX_BODY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS } from '../../src/lib/validation';
import { buildStatusPageView } from '../../src/lib/views/status-page';
import { ShiraseError } from '../../src/lib/errors';
import { freePort, freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { startReceiver } from '../support/http-receiver';
import { signedInStaff } from '../support/staff';
import { FIXTURE_API_KEY, FIXTURE_PAGE_ID, startStatuspageFixtures } from '../support/statuspage-fixtures';
import { programArgs } from '../support/programs';

const run = promisify(execFile);
// The fixtures were recorded on this day: the import runs "then", so the 90-day strips cover them.
const RECORDED = Date.parse('2026-11-20T09:00:00Z');
const ctx = { now: RECORDED, actor: { kind: 'system' as const, id: null, label: 'test' } };

let fixtures: Awaited<ReturnType<typeof startStatuspageFixtures>>;
const opened: { db: Db; dir: string }[] = [];

function emptyDatabase() {
  const made = freshDatabase({ seed: false });
  opened.push(made);
  return made;
}

beforeAll(async () => {
  fixtures = await startStatuspageFixtures();
});
afterAll(async () => {
  await fixtures?.close();
  for (const { db, dir } of opened) {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every table an import writes, to compare two moments of the database. */
function contents(db: Db) {
  return {
    groups: db.select().from(componentGroups).orderBy(asc(componentGroups.id)).all(),
    components: db.select().from(components).orderBy(asc(components.id)).all(),
    incidents: db.select().from(incidents).orderBy(asc(incidents.id)).all(),
    updates: db.select().from(incidentUpdates).orderBy(asc(incidentUpdates.id)).all(),
    links: db.select().from(incidentComponents).orderBy(asc(incidentComponents.incidentId), asc(incidentComponents.componentId)).all(),
    ledger: db.select().from(componentStatusChanges).orderBy(asc(componentStatusChanges.id)).all(),
    subscribers: db.select().from(subscribers).orderBy(asc(subscribers.id)).all(),
    records: db.select().from(importedRecords).orderBy(asc(importedRecords.kind), asc(importedRecords.sourceId)).all(),
    events: db.select().from(notificationEvents).all(),
    outbox: db.select().from(outbox).all(),
  };
}

const nothingNew = (r: ImportReport) =>
  [r.groups, r.components, r.incidents, r.maintenances, r.updates, r.subscribers].every((c) => c.added === 0 && c.updated === 0) && r.statusChanges === 0;

function componentNamed(db: Db, name: string) {
  return db.select().from(components).where(eq(components.name, name)).get()!;
}

function ledgerOf(db: Db, name: string) {
  return db
    .select({ at: componentStatusChanges.at, status: componentStatusChanges.status, previous: componentStatusChanges.previousStatus })
    .from(componentStatusChanges)
    .where(eq(componentStatusChanges.componentId, componentNamed(db, name).id))
    .orderBy(asc(componentStatusChanges.at), asc(componentStatusChanges.id))
    .all()
    .map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
}

describe('importing a Statuspage page from its public API', () => {
  it('brings in groups, components, incidents and maintenance with every update at its original time, telling nobody', async () => {
    const { db } = emptyDatabase();
    const steps: string[] = [];
    const page = await readStatuspage({ pageUrl: `${fixtures.url}/` }, (p) => steps.push(`${p.phase}:${p.label}`));
    const report = importStatuspage(db, page, { locale: 'en' }, ctx, (p) => steps.push(`${p.phase}:${p.label}`));
    expect(steps).toEqual(expect.arrayContaining(['read:summary.json', 'read:incidents.json', 'read:scheduled-maintenances.json', 'write:incidents']));
    expect(report).toMatchObject({
      source: `statuspage:${FIXTURE_PAGE_ID}`,
      groups: { added: 1, updated: 0 },
      components: { added: 5, updated: 0 },
      incidents: { added: 3, updated: 0 },
      maintenances: { added: 2, updated: 0 },
      // 4 + 2 + 2 updates, the postmortem, and 3 + 1 maintenance updates.
      updates: { added: 13, updated: 0 },
    });

    // Groups and components in the old page's order, with descriptions and only_show_if_degraded.
    const group = db.select().from(componentGroups).get()!;
    expect(group).toMatchObject({ name: 'Platform', description: 'What your applications talk to' });
    const grouped = db.select().from(components).where(eq(components.groupId, group.id)).orderBy(asc(components.position)).all();
    expect(grouped.map((c) => [c.name, c.onlyShowIfDegraded])).toEqual([
      ['API', false],
      ['Dashboard', false],
      ['Legacy API v1', true],
    ]);
    expect(grouped[0]!.description).toBe('REST and GraphQL endpoints');
    expect(grouped[0]!.createdAt).toBe(Date.parse('2024-02-07T11:20:31.034Z'));

    // Incidents keep their ids (old links keep working), names, impact and statuses; updates their times and texts.
    const apiErrors = db.select().from(incidents).where(eq(incidents.id, 'k2c8jd7vwq4m')).get()!;
    expect(apiErrors).toMatchObject({ kind: 'incident', name: 'Elevated API error rates', impact: 'major', status: 'postmortem', backfilled: true });
    expect(apiErrors.startedAt).toBe(Date.parse('2026-10-14T09:02:11Z'));
    expect(apiErrors.resolvedAt).toBe(Date.parse('2026-10-14T10:45:00Z'));
    const timeline = db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, apiErrors.id)).orderBy(asc(incidentUpdates.displayAt)).all();
    expect(timeline.map((u) => [u.status, new Date(u.displayAt).toISOString(), u.notify])).toEqual([
      ['investigating', '2026-10-14T09:02:11.000Z', false],
      ['identified', '2026-10-14T09:20:47.000Z', false],
      ['monitoring', '2026-10-14T10:05:33.000Z', false],
      ['resolved', '2026-10-14T10:45:00.000Z', false],
      ['postmortem', '2026-10-16T17:30:00.000Z', false],
    ]);
    expect(timeline[1]!.body).toContain('faulty load balancer configuration');
    expect(timeline[4]!.body).toContain('##### Root cause');
    const open = db.select().from(incidents).where(eq(incidents.id, 't6zgw0ck3r8n')).get()!;
    expect(open).toMatchObject({ status: 'identified', impact: 'minor', resolvedAt: null });

    // Maintenance: the finished window as completed history, the coming one as scheduled.
    const upgrade = db.select().from(incidents).where(eq(incidents.id, 'g4vx1z9pe7dh')).get()!;
    expect(upgrade).toMatchObject({ kind: 'maintenance', status: 'completed', autoTransitions: false });
    expect(upgrade.scheduledFor).toBe(Date.parse('2026-10-25T01:00:00Z'));
    const network = db.select().from(incidents).where(eq(incidents.id, 'e1mq8ow3j6tu')).get()!;
    expect(network).toMatchObject({ kind: 'maintenance', status: 'scheduled', autoTransitions: true });
    const networkLinks = db.select().from(incidentComponents).where(eq(incidentComponents.incidentId, network.id)).all();
    expect(networkLinks.map((l) => l.componentId).sort()).toEqual([componentNamed(db, 'API').id, componentNamed(db, 'Dashboard').id].sort());

    // Nobody hears of history.
    expect(db.select().from(notificationEvents).all()).toEqual([]);
    expect(db.select().from(outbox).all()).toEqual([]);
    const audit = db.select().from(auditLog).where(eq(auditLog.action, 'import.statuspage')).all();
    expect(audit).toHaveLength(1);
  });

  it('records the component history the updates carried, so the uptime strips look as on the old page', async () => {
    const { db } = emptyDatabase();
    importStatuspage(db, await readStatuspage({ pageUrl: fixtures.url }), { locale: 'en' }, ctx);
    // The API was partly down from the first update; the resolution named no component and still ended it,
    // as Statuspage does by default; the maintenance window is recorded too.
    expect(ledgerOf(db, 'API')).toEqual([
      { at: '2026-10-14T09:02:11.000Z', status: 'partial_outage', previous: 'operational' },
      { at: '2026-10-14T10:45:00.000Z', status: 'operational', previous: 'partial_outage' },
      { at: '2026-10-25T01:00:04.000Z', status: 'under_maintenance', previous: 'operational' },
      { at: '2026-10-25T02:40:09.000Z', status: 'operational', previous: 'under_maintenance' },
    ]);
    // The open incident's email trouble is the component's current status; the website's status was set by hand there.
    expect(ledgerOf(db, 'Email delivery')).toEqual([{ at: '2026-11-19T22:01:40.000Z', status: 'degraded_performance', previous: 'operational' }]);
    expect(ledgerOf(db, 'Website')).toEqual([{ at: '2026-11-19T23:10:04.512Z', status: 'partial_outage', previous: 'operational' }]);

    const view = buildStatusPageView(db, RECORDED, 'UTC');
    const strip = (name: string) => [...view.ungrouped, ...view.groups.flatMap((g) => g.components)].find((c) => c.name === name)!.uptime.days;
    const day = (name: string, key: string) => strip(name).find((d) => d.key === key)!;
    expect(day('API', '2026-10-14')).toMatchObject({ worst: 'partial_outage' });
    expect(day('API', '2026-10-14').downMs).toBeGreaterThan(0);
    expect(day('API', '2026-10-15')).toMatchObject({ worst: 'operational', downMs: 0 });
    expect(day('API', '2026-10-25').maintenanceMs).toBeGreaterThan(0);
    expect(day('Dashboard', '2026-11-03')).toMatchObject({ worst: 'major_outage' });
    expect(day('Dashboard', '2026-11-04')).toMatchObject({ worst: 'operational', downMs: 0 });
    // Legacy API v1 shows only when degraded, as it did there.
    expect(strip('Email delivery').at(-1)).toMatchObject({ worst: 'degraded_performance' });
    expect(view.groups[0]!.components.map((c) => c.name)).toEqual(['API', 'Dashboard']);
  });

  it('run again, updates what changed there and duplicates nothing', async () => {
    const { db } = emptyDatabase();
    const page = await readStatuspage({ pageUrl: fixtures.url });
    importStatuspage(db, page, { locale: 'en' }, ctx);
    const first = contents(db);
    const again = importStatuspage(db, await readStatuspage({ pageUrl: fixtures.url }), { locale: 'en' }, { ...ctx, now: RECORDED + 60_000 });
    expect(nothingNew(again)).toBe(true);
    expect(contents(db)).toEqual(first);

    // The old page moved on: an update was corrected, a component renamed, the open incident resolved.
    const edited = structuredClone(page);
    const email = edited.incidents.find((i) => i.id === 't6zgw0ck3r8n')!;
    email.updates[1]!.body = 'A backlog at our email provider delayed messages by up to 25 minutes. No messages are lost.';
    email.updates.push({
      id: 'p0resolved01',
      status: 'resolved',
      body: 'Email is delivered on time again.',
      displayAt: Date.parse('2026-11-20T01:15:00Z'),
      createdAt: Date.parse('2026-11-20T01:15:00Z'),
      affected: [],
    });
    edited.components.find((c) => c.name === 'Dashboard')!.name = 'Console';
    edited.components.find((c) => c.name === 'Email delivery')!.status = 'operational';
    const changed = importStatuspage(db, edited, { locale: 'en' }, { ...ctx, now: RECORDED + 120_000 });
    expect(changed).toMatchObject({ components: { added: 0, updated: 1 }, incidents: { added: 0, updated: 1 }, updates: { added: 1, updated: 1 } });
    const after = contents(db);
    expect(after.incidents).toHaveLength(first.incidents.length);
    expect(after.updates).toHaveLength(first.updates.length + 1);
    expect(after.components.map((c) => c.name).sort()).toEqual(['API', 'Console', 'Email delivery', 'Legacy API v1', 'Website']);
    expect(db.select().from(incidents).where(eq(incidents.id, 't6zgw0ck3r8n')).get()).toMatchObject({ status: 'resolved' });
    // The resolution ends the email trouble at its own time, not at the import's.
    expect(ledgerOf(db, 'Email delivery').at(-1)).toEqual({ at: '2026-11-20T01:15:00.000Z', status: 'operational', previous: 'degraded_performance' });
    expect(db.select().from(outbox).all()).toEqual([]);

    // Staff set a status here after the import: a later run of an unchanged page leaves it alone.
    const website = componentNamed(db, 'Website');
    db.insert(componentStatusChanges)
      .values({
        componentId: website.id,
        at: RECORDED + 180_000,
        status: 'operational',
        previousStatus: 'partial_outage',
        cause: 'manual',
        createdAt: RECORDED + 180_000,
      })
      .run();
    importStatuspage(db, edited, { locale: 'en' }, { ...ctx, now: RECORDED + 240_000 });
    expect(ledgerOf(db, 'Website').at(-1)).toMatchObject({ status: 'operational' });
  });
});

describe('importing from the authenticated v1 API', () => {
  it('reads the whole history and the subscribers, each asked to confirm unless they are imported as confirmed', async () => {
    const { db } = emptyDatabase();
    const page = await readStatuspage({ apiKey: FIXTURE_API_KEY, pageId: FIXTURE_PAGE_ID, apiBase: fixtures.apiBase });
    const report = importStatuspage(db, page, { locale: 'ja' }, ctx);
    expect(fixtures.received.filter((r) => r.path.startsWith('/v1/')).every((r) => r.headers.authorization === `OAuth ${FIXTURE_API_KEY}`)).toBe(true);
    expect(fixtures.received.map((r) => r.path)).toContain(`/v1/pages/${FIXTURE_PAGE_ID}/subscribers?page=1&per_page=100&type=email`);
    // One incident more than the public list shows: the older history.
    expect(report.incidents.added).toBe(4);
    expect(db.select().from(incidents).where(eq(incidents.id, 'u3ks9dn1yb5e')).get()).toMatchObject({ name: 'Sign-in failures', status: 'resolved' });
    const list = db.select().from(subscribers).orderBy(asc(subscribers.email)).all();
    expect(list.map((s) => [s.email, s.status, s.locale])).toEqual([
      ['alerts@customer-two.example', 'pending', 'ja'],
      ['ops@customer-one.example', 'pending', 'ja'],
    ]);
    expect(JSON.parse(list[1]!.componentIds!)).toEqual([componentNamed(db, 'API').id]);
    const events = db.select().from(notificationEvents).all();
    expect(events.map((e) => [e.kind, e.subscriberId]).sort()).toEqual(list.map((s) => ['confirm', s.id]).sort());

    const again = importStatuspage(db, page, { locale: 'ja' }, ctx);
    expect(nothingNew(again)).toBe(true);
    expect(db.select().from(notificationEvents).all()).toHaveLength(2);
  });

  it('imports subscribers as confirmed, sending nothing, only when told they all agreed', async () => {
    const { db } = emptyDatabase();
    const page = await readStatuspage({ apiKey: FIXTURE_API_KEY, pageId: FIXTURE_PAGE_ID, apiBase: fixtures.apiBase });
    importStatuspage(db, page, { locale: 'en', subscribersConfirmed: true }, ctx);
    expect(db.select({ status: subscribers.status }).from(subscribers).all()).toEqual([{ status: 'confirmed' }, { status: 'confirmed' }]);
    expect(db.select().from(notificationEvents).all()).toEqual([]);
  });
});

describe('holding an import to the limits the API holds to', () => {
  it('cuts long texts to their field, takes control characters out of bodies, refuses names with them, and says which', async () => {
    const { db } = emptyDatabase();
    const huge = `Mail is slow.\u0000\u001b[31m ${'x'.repeat(5_000_000)}`;
    fixtures.setEdit((name, doc) => {
      if (name === 'v2/summary.json') {
        for (const c of doc.components) {
          if (c.name === 'Website') c.description = 'd'.repeat(5_000);
          if (c.name === 'Legacy API v1') c.name = 'Legacy\r\nX-INJECTED:1';
        }
      }
      if (name === 'v2/incidents.json') {
        for (const i of doc.incidents) {
          if (i.id === 't6zgw0ck3r8n') i.incident_updates[0]!.body = huge;
          if (i.id === 'f0n4hyq7ba2s') i.name = 'D'.repeat(300);
        }
      }
      return doc;
    });
    try {
      const report = importStatuspage(db, await readStatuspage({ pageUrl: `${fixtures.url}/` }), { locale: 'en' }, ctx);
      const cutUpdate = 'update' as const;
      expect(report.adjusted).toEqual(
        expect.arrayContaining([
          { kind: 'component', id: 'p4s1zbtr6vcg', label: 'Website', field: 'description', action: 'cut' },
          { kind: 'component', id: '0ghzvd7ynp3l', label: 'Legacy X-INJECTED:1', field: 'name', action: 'refused' },
          { kind: 'incident', id: 'f0n4hyq7ba2s', label: 'D'.repeat(80), field: 'name', action: 'cut' },
          expect.objectContaining({ kind: cutUpdate, label: 'Delayed email delivery', field: 'body', action: 'cut' }),
        ]),
      );
      expect(report.adjusted).toHaveLength(4);
      const bodies = db.select({ body: incidentUpdates.body }).from(incidentUpdates).all();
      expect(Math.max(...bodies.map((b) => b.body.length))).toBe(MAX_BODY_CHARS);
      expect(bodies.find((b) => b.body.startsWith('Mail is slow.'))!.body.slice(0, 20)).toBe('Mail is slow.[31m xx');
      expect(
        db
          .select({ name: components.name })
          .from(components)
          .all()
          .map((c) => c.name),
      ).not.toContain('Legacy\r\nX-INJECTED:1');
      expect(db.select({ description: components.description }).from(components).where(eq(components.name, 'Website')).get()!.description).toHaveLength(
        MAX_DESCRIPTION_CHARS,
      );
      expect(db.select({ name: incidents.name }).from(incidents).where(eq(incidents.id, 'f0n4hyq7ba2s')).get()!.name).toBe('D'.repeat(MAX_NAME_CHARS));
      // The status page is the size of what the API would have let in, not of what the source sent.
      expect(JSON.stringify(buildStatusPageView(db, RECORDED, 'UTC')).length).toBeLessThan(200_000);
    } finally {
      fixtures.setEdit(undefined);
    }
  });
});

describe('refusing what is not a Statuspage page', () => {
  async function refusal(source: Parameters<typeof readStatuspage>[0]) {
    const error = await readStatuspage(source).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShiraseError);
    return error as ShiraseError;
  }

  it('names an unreachable address, another site, an error answer, a refused key, an oversized answer and a non-http address', async () => {
    const closed = await freePort();
    expect((await refusal({ pageUrl: `http://127.0.0.1:${closed}` })).key).toBe('errors.import.unreachable');
    expect((await refusal({ pageUrl: 'ftp://status.example.com/' })).key).toBe('errors.import.badUrl');
    expect((await refusal({ pageUrl: 'file:///etc/passwd' })).key).toBe('errors.import.badUrl');
    expect((await refusal({ apiKey: 'wrong', pageId: FIXTURE_PAGE_ID, apiBase: fixtures.apiBase })).key).toBe('errors.import.refusedKey');
    expect((await refusal({ apiKey: FIXTURE_API_KEY, pageId: FIXTURE_PAGE_ID, apiBase: '/v1' })).key).toBe('errors.import.badUrl');
    try {
      fixtures.setMode('html');
      const html = await refusal({ pageUrl: fixtures.url });
      expect(html.key).toBe('errors.import.notStatuspage');
      expect(html.message).toContain('/api/v2/summary.json');
      fixtures.setMode('other-json');
      expect((await refusal({ pageUrl: fixtures.url })).key).toBe('errors.import.notStatuspage');
      fixtures.setMode('server-error');
      expect((await refusal({ pageUrl: fixtures.url })).message).toContain('HTTP 503');
      fixtures.setMode('huge');
      expect((await refusal({ pageUrl: fixtures.url })).key).toBe('errors.import.tooLarge');
    } finally {
      fixtures.setMode('statuspage');
    }
  });

  it('from the command line, says why and leaves the database as it was', async () => {
    const { db, databasePath } = emptyDatabase();
    const before = contents(db);
    fixtures.setMode('other-json');
    const failed = await run(process.execPath, [...programArgs('src/cli/import.ts'), 'statuspage', fixtures.url], {
      env: { ...process.env, DATABASE_PATH: databasePath },
    }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    fixtures.setMode('statuspage');
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('is not a Statuspage API document');
    expect(failed?.stderr).toContain('Nothing was imported');
    expect(contents(db)).toEqual(before);
    expect(db.select().from(auditLog).all()).toEqual([]);
  });

  it('rolls back everything when a write fails half way', async () => {
    const { db } = emptyDatabase();
    const page = await readStatuspage({ pageUrl: fixtures.url });
    const before = contents(db);
    // The last incident's first update has no time SQLite will store: the failure comes after every other row was written.
    const broken = structuredClone(page);
    broken.incidents.at(-1)!.updates[0]!.displayAt = Number.NaN;
    expect(() => importStatuspage(db, broken, { locale: 'en' }, ctx)).toThrow();
    expect(contents(db)).toEqual(before);
  });
});

describe('the command line', () => {
  it('imports with a progress display and a summary, and a second run adds nothing', async () => {
    const { db, databasePath } = emptyDatabase();
    const args = [
      ...programArgs('src/cli/import.ts'),
      'statuspage',
      '--page-id',
      FIXTURE_PAGE_ID,
      '--api-key',
      FIXTURE_API_KEY,
      '--api-base',
      fixtures.apiBase,
      '--subscribers-confirmed',
    ];
    const env = { ...process.env, DATABASE_PATH: databasePath };
    const first = await run(process.execPath, args, { env });
    expect(first.stderr).toContain('Warning: every imported subscriber will be counted as confirmed');
    expect(first.stderr).toContain('Reading incidents');
    expect(first.stderr).toContain('Writing incidents');
    expect(first.stdout).toContain(`Imported from Acme Cloud (statuspage:${FIXTURE_PAGE_ID})`);
    expect(first.stdout).toMatch(/incidents\s+4 added\s+0 updated/);
    const after = contents(db);
    const second = await run(process.execPath, args, { env });
    expect(second.stdout).toMatch(/incidents\s+0 added\s+0 updated/);
    expect(second.stdout).toMatch(/updates\s+0 added\s+0 updated/);
    expect(contents(db)).toEqual(after);
    expect(
      db
        .select()
        .from(subscribers)
        .all()
        .map((s) => s.status),
    ).toEqual(['confirmed', 'confirmed']);
  });
});

describe('Admin → Settings → Import, from a second Shirase (it speaks the same API)', () => {
  let source: TestSite;
  let target: TestSite;
  beforeAll(async () => {
    source = await startTestSite({ seed: true });
    // The source listens on loopback: this site is told it may fetch from there.
    target = await startTestSite({ seed: false, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('imports the page for an admin, audited, and shows what it brought in; a second run adds nothing', async () => {
    const summary = (await (await fetch(`${source.url}/api/v2/summary.json`)).json()) as { components: { name: string; group: boolean }[] };
    const listed = (await (await fetch(`${source.url}/api/v2/incidents.json`)).json()) as {
      incidents: { id: string; name: string; status: string; incident_updates: unknown[] }[];
    };
    const admin = await signedInStaff(target, 'admin');
    const res = await admin.post('/admin/settings/import', { url: source.url });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`Imported from ${source.config.siteName}.`);
    expect(page).toMatch(/data-import-report/);

    const names = (db: Db) =>
      db
        .select({ name: components.name })
        .from(components)
        .all()
        .map((c) => c.name)
        .sort();
    expect(names(target.db)).toEqual(
      summary.components
        .filter((c) => !c.group)
        .map((c) => c.name)
        .sort(),
    );
    for (const i of listed.incidents) {
      const here = target.db.select().from(incidents).where(eq(incidents.id, i.id)).get();
      expect(here, i.name).toMatchObject({ name: i.name, status: i.status === 'postmortem' ? 'resolved' : i.status });
      expect(target.db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, i.id)).all()).toHaveLength(i.incident_updates.length);
    }
    const audit = target.db.select().from(auditLog).where(eq(auditLog.action, 'import.statuspage')).all();
    expect(audit).toEqual([expect.objectContaining({ actorKind: 'user', actorLabel: admin.email })]);
    expect(target.db.select().from(outbox).all()).toEqual([]);
    // The imported incident is on the public site at its old id.
    const first = listed.incidents[0]!;
    const shown = await fetch(`${target.url}/incidents/${first.id}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(first.name.replace(/&/g, '&amp;'));

    const before = contents(target.db);
    const again = await admin.post('/admin/settings/import', { url: source.url });
    expect(again.status).toBe(200);
    expect(contents(target.db)).toEqual(before);
  });

  it('lists each item it cut or refused to hold to the API’s limits', async () => {
    fixtures.setEdit((name, doc) => {
      if (name === 'v2/summary.json') for (const c of doc.components) if (c.name === 'Dashboard') c.name = 'Dash\r\nboard';
      if (name === 'v2/incidents.json') for (const i of doc.incidents) if (i.id === 'k2c8jd7vwq4m') i.incident_updates[0]!.body = 'y'.repeat(30_000);
      return doc;
    });
    try {
      const admin = await signedInStaff(target, 'admin');
      const res = await admin.post('/admin/settings/import', { url: fixtures.url });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('Held to this site’s limits, as the API would have been (2):');
      expect(page).toContain('Component 8wrh7kyymdm0 (“Dash board”): left out, as its name has line breaks or other control characters in it, or is too long.');
      expect(page).toMatch(/Update \w+ \(“Elevated API error rates”\): its text was cut to the longest this site keeps\./);
    } finally {
      fixtures.setEdit(undefined);
    }
  });

  it('is for admins only', async () => {
    const editor = await signedInStaff(target, 'editor');
    const before = contents(target.db);
    const res = await editor.post('/admin/settings/import', { url: fixtures.url });
    expect(res.status).toBe(403);
    expect(contents(target.db)).toEqual(before);
  });

  it('says a source answering with a status no HTTP client accepts is unreachable, and keeps serving', async () => {
    const odd = await startReceiver((_req, res) => {
      res.writeHead(799, { 'content-type': 'application/json' });
      res.end('{}');
    });
    try {
      const admin = await signedInStaff(target, 'admin');
      const res = await admin.post('/admin/settings/import', { url: odd.url });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('HTTP status 799');
      expect((await fetch(`${target.url}/api/v2/status.json`)).status).toBe(200);
    } finally {
      await odd.close();
    }
  });

  it('does not fetch from the server’s own network unless told it may, and says so', async () => {
    const admin = await signedInStaff(source, 'admin');
    const before = contents(source.db);
    const requests = fixtures.received.length;
    const res = await admin.post('/admin/settings/import', { url: fixtures.url });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('is on a private or local network');
    expect(page).toContain('Nothing was imported');
    expect(page).toContain(`value="${fixtures.url}"`);
    expect(contents(source.db)).toEqual(before);
    // Refused before a request was made.
    expect(fixtures.received).toHaveLength(requests);
    // A name is judged by the address the connection would use, at the moment it connects.
    const named = await admin.post('/admin/settings/import', { url: fixtures.url.replace('127.0.0.1', 'localhost') });
    expect(named.status).toBe(422);
    expect(await named.text()).toContain('is on a private or local network');
    expect(fixtures.received).toHaveLength(requests);
    expect(contents(source.db)).toEqual(before);
  });
});
