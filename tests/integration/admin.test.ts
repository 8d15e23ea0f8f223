import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { apiTokens, auditLog, incidents, incidentUpdates, sessions, signInFailures } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { postForm, signedInStaff } from '../support/staff';
import { createUser } from '../../src/lib/auth/create-user';
import { signIn } from '../../src/lib/auth/sign-in';
import { FAILURE_WINDOW_MS, MAX_FAILURES_PER_PAIR } from '../../src/lib/auth/sign-in-throttle';
import { MAX_ACCOUNT_DELAY_MS } from '../../src/lib/auth/sign-in-throttle';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { loadIncident } from '../../src/lib/incidents/load-incidents';
import { editComponent } from '../../src/lib/components/edit-component';
import { createComponentGroup } from '../../src/lib/components/create-component-group';
import { AUDIT_PAGE_SIZE, listAudit } from '../../src/lib/audit/list-audit';
import { AUDIT_KINDS } from '../../src/lib/audit/audit-kinds';
import { parse } from 'csv-parse/sync';
import { createApiToken } from '../../src/lib/auth/create-api-token';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

const components = () => loadComponentTree(site.db, Date.now()).all;
const byName = (name: string) => components().find((c) => c.name === name)!;
const incidentCount = () => site.db.select({ n: count() }).from(incidents).get()!.n;

describe('signing in', () => {
  it('sends people without a session to the sign-in page', async () => {
    const res = await fetch(site.url + '/admin/incidents/new', { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Fincidents%2Fnew');
  });

  it('sets an HttpOnly SameSite session cookie and ends the session on sign-out', async () => {
    const staff = await signedInStaff(site);
    const login = await postForm(site, '/admin/login', { email: staff.email, password: 'correct horse battery staple' });
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect((await staff.get('/admin')).status).toBe(200);
    await staff.post('/admin/logout', {});
    expect((await staff.get('/admin')).status).toBe(303);
  });

  it('answers an unknown account and a wrong password the same way', async () => {
    const email = `known-${Date.now()}@example.com`;
    await createUser(site.db, { email, role: 'editor', password: 'a long enough password' }, { now: Date.now() });
    const unknown = await postForm(site, '/admin/login', { email: `nobody-${Date.now()}@example.com`, password: 'whatever it is' });
    const wrong = await postForm(site, '/admin/login', { email, password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const text = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)![0];
    expect(text(await unknown.text())).toBe(text(await wrong.text()));
  });

  it('never locks an account for its owner: failures from many addresses only make its sign-ins wait, a few seconds at most', async () => {
    const email = `lock-${Date.now()}@example.com`;
    await createUser(site.db, { email, role: 'editor', password: 'the right password' }, { now: Date.now() });
    const t0 = Date.now();
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);
    for (let i = 0; i < 3 * MAX_FAILURES_PER_PAIR; i++) {
      await expect(signIn(site.db, { email, password: 'wrong guess', address: `10.0.0.${i}` }, t0 + i, { wait })).rejects.toThrow(/do not match/);
    }
    const session = await signIn(site.db, { email, password: 'the right password', address: '10.0.1.1' }, t0 + 100, { wait });
    expect(session.kind).toBe('session');
    expect(waits[0]).toBe(0);
    expect(Math.max(...waits)).toBe(MAX_ACCOUNT_DELAY_MS);
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    const later: number[] = [];
    await signIn(site.db, { email, password: 'the right password', address: '10.0.1.1' }, t0 + FAILURE_WINDOW_MS + 1000, {
      wait: async (ms) => void later.push(ms),
    });
    expect(later).toEqual([0]);
  });

  it('throttles one address guessing many accounts, with Retry-After', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) {
      last = await postForm(site, '/admin/login', { email: `spray${i}@example.com`, password: 'guess' });
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    site.db.delete(signInFailures).run();
  });

  it('stores sessions hashed, never the token itself', async () => {
    const staff = await signedInStaff(site);
    const token = staff.cookie.split('=')[1]!;
    const rows = site.db.select().from(sessions).all();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('the incident forms', () => {
  it('opens an incident on two components, posts a back-dated update, and resolves it', async () => {
    const staff = await signedInStaff(site, 'editor');
    const api = byName('API');
    const web = byName('Web app');
    const opened = await staff.post('/admin/incidents/new', {
      name: 'Elevated API errors',
      status: 'investigating',
      body: 'Some requests fail.',
      [`component:${api.id}`]: 'partial_outage',
      [`component:${web.id}`]: 'degraded_performance',
      impact: 'auto',
    });
    expect(opened.status).toBe(303);
    const id = /\/admin\/incidents\/([a-z0-9]{12})/.exec(opened.headers.get('location')!)![1]!;
    expect(loadIncident(site.db, id)!.impact).toBe('major');
    expect(byName('API').status).toBe('partial_outage');

    await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: 'Fix deployed.' });
    // Written later but dated earlier: it takes its place in the timeline without changing the status.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' }).format(tenMinutesAgo).replace(' ', 'T');
    await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'identified', body: 'Cause found (noted late).', displayAt: local });
    expect(loadIncident(site.db, id)!.status).toBe('monitoring');

    const resolved = await staff.post(`/admin/incidents/${id}`, { intent: 'resolve', resolveBody: 'All good.', notify: 'on' });
    expect(resolved.status).toBe(303);
    const incident = loadIncident(site.db, id)!;
    expect(incident.status).toBe('resolved');
    expect(byName('API').status).toBe('operational');
    expect(byName('Web app').status).toBe('operational');

    const audit = site.db.select().from(auditLog).where(eq(auditLog.actorLabel, staff.email)).all();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['incident.open', 'incident.post_update']));
    expect(audit.filter((a) => a.action === 'incident.post_update')).toHaveLength(3);
  });

  it('keeps what was typed and writes nothing when a field is wrong', async () => {
    const staff = await signedInStaff(site);
    const before = incidentCount();
    const auditBefore = site.db.select({ n: count() }).from(auditLog).get()!.n;
    const res = await staff.post('/admin/incidents/new', { name: '', status: 'investigating', body: 'Text I typed with <care>' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Give it a name.');
    expect(html).toContain('Text I typed with &lt;care&gt;');
    expect(incidentCount()).toBe(before);
    expect(site.db.select({ n: count() }).from(auditLog).get()!.n).toBe(auditBefore);
  });

  it('refuses an update dated in the future', async () => {
    const staff = await signedInStaff(site);
    const future = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
      .format(new Date(Date.now() + 3_600_000))
      .replace(' ', 'T');
    const before = incidentCount();
    const res = await staff.post('/admin/incidents/new', { name: 'From the future', status: 'investigating', body: 'Hm.', displayAt: future });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('cannot be dated in the future');
    expect(incidentCount()).toBe(before);
  });

  it('refuses an impact start after the first update instead of dropping it, keeping what was typed', async () => {
    const staff = await signedInStaff(site);
    const tokyo = (ms: number) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms)).replace(' ', 'T');
    const before = incidentCount();
    const fields = {
      name: 'Written up afterwards',
      status: 'investigating',
      body: 'Uploads failed.',
      displayAt: tokyo(Date.now() - 2 * 3_600_000),
      startedAt: tokyo(Date.now() - 3_600_000),
    };
    const res = await staff.post('/admin/incidents/new', fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Impact cannot begin after the first update');
    expect(html).toContain(`value="${fields.startedAt}"`);
    expect(incidentCount()).toBe(before);
    // Earlier than the first update, it is when impact began.
    expect((await staff.post('/admin/incidents/new', { ...fields, startedAt: tokyo(Date.now() - 3 * 3_600_000) })).status).toBe(303);
    expect(incidentCount()).toBe(before + 1);
  });

  it('corrects and deletes an update, with the public page following', async () => {
    const staff = await signedInStaff(site);
    const opened = await staff.post('/admin/incidents/new', { name: 'Typo incident', status: 'investigating', body: 'Frist text.' });
    const id = /([a-z0-9]{12})\?/.exec(opened.headers.get('location')!)![1]!;
    await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'identified', body: 'Posted by mistake.' });
    const [first, mistaken] = loadIncident(site.db, id)!.updates;
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
      .format(new Date(first!.displayAt))
      .replace(' ', 'T');
    expect(
      (
        await staff.post(`/admin/incidents/${id}`, {
          intent: 'edit_update',
          updateId: first!.id,
          [`body-${first!.id}`]: 'First text.',
          [`displayAt-${first!.id}`]: local,
        })
      ).status,
    ).toBe(303);
    expect((await staff.post(`/admin/incidents/${id}`, { intent: 'delete_update', updateId: mistaken!.id, confirmed: 'yes' })).status).toBe(303);
    const after = loadIncident(site.db, id)!;
    expect(after.updates.map((u) => u.body)).toEqual(['First text.']);
    expect(after.status).toBe('investigating');
    const page = await (await fetch(`${site.url}/incidents/${id}`)).text();
    expect(page).toContain('First text.');
    expect(page).not.toContain('Posted by mistake.');
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, first!.id)).all();
    expect(JSON.parse(audit[0]!.before!).body).toBe('Frist text.');
  });

  it('refuses a form posted from another origin and writes nothing', async () => {
    const staff = await signedInStaff(site);
    const before = incidentCount();
    const res = await staff.post('/admin/incidents/new', { name: 'Forged', status: 'investigating', body: 'x' }, 'https://attacker.example');
    expect(res.status).toBe(403);
    expect(incidentCount()).toBe(before);
  });
});

describe('maintenance and components', () => {
  it('schedules maintenance and refuses a window that ends before it starts', async () => {
    const staff = await signedInStaff(site);
    const bad = await staff.post('/admin/maintenance/new', {
      name: 'Backwards',
      body: 'x',
      scheduledFor: '2030-01-02T03:00',
      scheduledUntil: '2030-01-02T01:00',
      componentIds: [byName('API').id],
    });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('The window must end after it starts.');
    expect(html).toMatch(new RegExp(`value="${byName('API').id}"[^>]*checked`));
    const ok = await staff.post('/admin/maintenance/new', {
      name: 'Network work',
      body: 'Short blips.',
      scheduledFor: '2030-01-02T01:00',
      scheduledUntil: '2030-01-02T03:00',
      autoTransitions: 'on',
    });
    expect(ok.status).toBe(303);
    const id = /([a-z0-9]{12})\?/.exec(ok.headers.get('location')!)![1]!;
    const m = loadIncident(site.db, id)!;
    expect(m.status).toBe('scheduled');
    expect(new Date(m.scheduledFor!).toISOString()).toBe('2030-01-01T16:00:00.000Z');
    await staff.post(`/admin/incidents/${id}`, { intent: 'cancel', notify: 'on', confirmed: 'yes' });
    expect(loadIncident(site.db, id)!.status).toBe('completed');
  });

  it('lets an editor set a component status, recorded with who and why', async () => {
    const staff = await signedInStaff(site, 'editor');
    const notifications = byName('Notifications');
    await staff.post('/admin/components', { intent: 'set_status', componentId: notifications.id, status: 'degraded_performance', note: 'Mail provider slow' });
    expect(byName('Notifications').status).toBe('degraded_performance');
    const row = site.db.select().from(auditLog).where(eq(auditLog.entityId, notifications.id)).all().at(-1)!;
    expect(row.actorLabel).toBe(staff.email);
    await staff.post('/admin/components', { intent: 'set_status', componentId: notifications.id, status: 'operational' });
  });

  it('keeps structure changes for admins, and archives a component with history instead of erasing it', async () => {
    const editor = await signedInStaff(site, 'editor');
    const refused = await editor.post('/admin/components', { intent: 'create_component', name: 'Editor made' });
    expect(refused.status).toBe(403);
    const admin = await signedInStaff(site, 'admin');
    await admin.post('/admin/components', { intent: 'create_component', name: 'Search' });
    const search = byName('Search');
    await admin.post('/admin/components', { intent: 'set_status', componentId: search.id, status: 'major_outage' });
    await admin.post('/admin/components', { intent: 'remove', componentId: search.id, confirmed: 'yes' });
    expect(components().some((c) => c.name === 'Search')).toBe(false);
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, search.id)).all();
    expect(audit.map((a) => a.action)).toContain('component.archive');
  });
});

describe('component names', () => {
  it('are unique within their group, ignoring case and width: the form says so, keeps the text, and writes nothing', async () => {
    const admin = await signedInStaff(site, 'admin');
    const api = byName('API');
    const before = components().length;
    const refused = await admin.post('/admin/components', { intent: 'create_component', name: 'ａｐｉ', groupId: api.groupId ?? '' });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toContain('Another component in this group already has this name');
    expect(html).toContain('value="ａｐｉ"');
    expect(components().length).toBe(before);
    // The same name elsewhere is another component, and renaming into a clash is refused too.
    expect((await admin.post('/admin/components', { intent: 'create_component', name: 'API' })).status).toBe(303);
    const other = components().find((c) => c.name === 'API' && c.groupId !== api.groupId)!;
    expect(other).toBeDefined();
    expect(() => editComponent(site.db, other.id, { groupId: api.groupId }, { now: Date.now() })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', key: 'errors.component.nameTaken' }),
    );
    expect(components().find((c) => c.id === other.id)!.groupId).toBe(other.groupId);
    // Renaming a component to its own name in another case is no clash.
    editComponent(site.db, other.id, { name: 'api' }, { now: Date.now() });
    expect(components().find((c) => c.id === other.id)!.name).toBe('api');
    expect(() => createComponentGroup(site.db, { name: 'PLATFORM' }, { now: Date.now() })).toThrow(expect.objectContaining({ key: 'errors.group.nameTaken' }));
  });
});

describe('irreversible actions', () => {
  it('ask for a yes on a page of their own, without script, and change nothing until it comes', async () => {
    const admin = await signedInStaff(site, 'admin');
    const { id: tokenId } = createApiToken(site.db, { name: `to revoke ${Date.now()}`, scopes: ['read'] }, { now: Date.now() });
    const revokedAt = () => site.db.select({ at: apiTokens.revokedAt }).from(apiTokens).where(eq(apiTokens.id, tokenId)).get()!.at;
    const asked = await admin.post('/admin/tokens', { intent: 'revoke', id: tokenId });
    expect(asked.status).toBe(200);
    const html = await asked.text();
    expect(html).toContain('Revoke this token? Tools that use it stop working at once.');
    expect(html).toContain('This cannot be undone. Nothing has changed yet.');
    expect(revokedAt()).toBeNull();
    // The question's form sends the same fields again, with the yes.
    const panel = /<section class="confirm-panel"[\s\S]*?<\/section>/.exec(html)![0];
    const fields = Object.fromEntries([...panel.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(fields).toEqual({ intent: 'revoke', id: tokenId, confirmed: 'yes' });
    expect((await admin.post('/admin/tokens', fields)).status).toBe(303);
    expect(revokedAt()).not.toBeNull();
  });

  it('cover deleting an update, archiving a component, disabling a webhook and unpublishing a postmortem', async () => {
    const admin = await signedInStaff(site, 'admin');
    const incidentId = site.db.$client.prepare("select id from incidents where kind = 'incident' limit 1").pluck().get() as string;
    const updateId = site.db.$client.prepare('select id from incident_updates where incident_id = ? limit 1').pluck().get(incidentId) as string;
    const asks = [
      ['/admin/incidents/' + incidentId, { intent: 'delete_update', updateId }, 'Delete this update'],
      ['/admin/components', { intent: 'remove', componentId: byName('Web app').id }, ''],
      ['/admin/templates', { intent: 'delete', id: 'aaaaaaaaaaaa' }, ''],
    ] as const;
    const before = site.db.$client.prepare('select count(*) from incident_updates').pluck().get();
    for (const [path, fields] of asks) {
      const res = await admin.post(path, fields);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('class="confirm-panel"');
    }
    expect(site.db.$client.prepare('select count(*) from incident_updates').pluck().get()).toBe(before);
    expect(byName('Web app')).toBeDefined();
  });
});

describe('the audit log page', () => {
  const templateId = (name: string) => site.db.$client.prepare('select id from update_templates where name = ?').pluck().get(name) as string;

  it('lists entries by what happened and to what, filters them by person and kind, and shows the words a change replaced', async () => {
    const staff = await signedInStaff(site);
    await staff.post('/admin/templates', { intent: 'save', name: 'Investigating', status: 'investigating', body: 'We are looking into it.' });
    await staff.post('/admin/templates', {
      intent: 'save',
      id: templateId('Investigating'),
      name: 'Investigating',
      status: 'investigating',
      body: 'We are looking into the slow pages.',
    });
    const all = await (await staff.get('/admin/audit')).text();
    expect(all).toContain('Added a template');
    expect(all).toContain('<a href="/admin/templates">Investigating</a>');
    // Only the field that changed, word by word: the old words struck out, the new ones marked.
    expect(all).toMatch(/<dt>Text<\/dt>\s*<dd>\s*<span class="diff">We are looking into <del[^>]*>it<\/del><ins[^>]*>the slow pages<\/ins>.<\/span>/);
    expect(all).toContain('Times in Asia/Tokyo');
    const filtered = await (await staff.get(`/admin/audit?actor=${encodeURIComponent(staff.email)}&kind=incidents`)).text();
    expect(filtered).not.toContain('Added a template');
    const mine = await (await staff.get(`/admin/audit?actor=${encodeURIComponent(staff.email)}&kind=templates`)).text();
    expect(mine).toContain('Added a template');
    expect((await staff.get('/admin/audit?from=not-a-date&kind=%27;drop&page=-3')).status).toBe(200);
  });

  it('puts every entry under exactly one kind: a maintenance update is maintenance, not an incident', async () => {
    const staff = await signedInStaff(site);
    const maintenanceId = site.db.$client
      .prepare("select id from incidents where kind = 'maintenance' and status = 'scheduled' limit 1")
      .pluck()
      .get() as string;
    await staff.post(`/admin/incidents/${maintenanceId}`, { intent: 'post_update', status: 'scheduled', body: 'The window is confirmed.' });
    const zone = site.config.timeZone;
    const total = listAudit(site.db, {}, zone, 'admin').total;
    const byKind = AUDIT_KINDS.map((kind) => listAudit(site.db, { kind }, zone, 'admin').total);
    expect(byKind.reduce((a, b) => a + b, 0)).toBe(total);
    const maintenance = listAudit(site.db, { kind: 'maintenance' }, zone, 'admin').rows;
    expect(maintenance.some((r) => r.action === 'incident.post_update' && r.entityId === maintenanceId)).toBe(true);
    expect(listAudit(site.db, { kind: 'incidents' }, zone, 'admin').rows.some((r) => r.entityId === maintenanceId)).toBe(false);
  });

  it('pages through long logs keeping the filter, and exports the filtered entries as CSV that no spreadsheet runs as a formula', async () => {
    const staff = await signedInStaff(site);
    for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++)
      await staff.post('/admin/templates', { intent: 'save', name: `=HYPERLINK("http://127.0.0.1/x","${i}")`, status: 'investigating', body: `Body ${i}` });
    const first = await (await staff.get(`/admin/audit?kind=templates&actor=${encodeURIComponent(staff.email)}`)).text();
    const older = /<a href="([^"]+)" rel="next">/.exec(first)![1]!.replaceAll('&#38;', '&');
    expect(older).toContain('kind=templates');
    expect(older).toContain('page=2');
    const second = await (await staff.get(older)).text();
    expect(second).toContain('rel="prev"');
    expect(second).toContain('page 2 of 2');

    const res = await staff.get(`/admin/audit.csv?kind=templates&actor=${encodeURIComponent(staff.email)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await res.text();
    const records: string[][] = parse(text, { bom: true, relax_column_count: false });
    expect(records[0]).toEqual(['time_utc', 'time_Asia/Tokyo', 'person', 'action', 'what', 'entity_type', 'entity_id', 'entity_name', 'before', 'after']);
    expect(records.length - 1).toBe(AUDIT_PAGE_SIZE + 5);
    const names = records.slice(1).map((r) => r[7]!);
    expect(names.every((n) => n.startsWith(`'=HYPERLINK`))).toBe(true);
    expect(records[1]![2]).toBe(staff.email);
    // Signed out, there is no export.
    expect((await fetch(site.url + '/admin/audit.csv', { redirect: 'manual' })).status).toBe(303);
  });
});

describe('update counts stay whole', () => {
  it('never leaves an update without its incident', () => {
    const orphans = site.db.$client
      .prepare('select count(*) from incident_updates u left join incidents i on i.id = u.incident_id where i.id is null')
      .pluck()
      .get();
    expect(orphans).toBe(0);
    expect(site.db.select({ n: count() }).from(incidentUpdates).get()!.n).toBeGreaterThan(0);
  });
});
