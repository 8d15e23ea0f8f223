import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { components, incidentUpdates, incidents } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { createComponent } from '../../src/lib/components/create-component';
import { openIncident } from '../../src/lib/incidents/open-incident';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

let n = 0;
const freshIncident = () =>
  openIncident(site.db, { name: `Slow logins ${++n}`, status: 'investigating', body: 'Logins are slow.', components: [] }, { now: Date.now() });
const freshComponent = () => createComponent(site.db, { name: `Search ${++n}`, description: 'Finds cards.' }, { now: Date.now() });
/** The version a page's form carries, found right after the hidden field that names what it edits. */
const versionAfter = (page: string, field: string, value: string) =>
  new RegExp(`name="${field}" value="${value}"[^>]*>\\s*<input[^>]*name="version"[^>]*value="(\\d+)"`).exec(page)?.[1] ?? '';
const token = () => createApiToken(site.db, { name: `bot ${++n}`, scopes: ['incidents', 'components', 'read'] }, { now: Date.now() }).token;
const call = (method: string, path: string, bearer: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${site.url}/api/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
    body: JSON.stringify(body),
  });

describe('two staff editing the same thing in the admin', () => {
  it('refuses the second incident edit from the same version, showing both names and keeping the typed one', async () => {
    const { incidentId } = freshIncident();
    const [alice, bob] = [await signedInStaff(site, 'editor'), await signedInStaff(site, 'editor')];
    const path = `/admin/incidents/${incidentId}`;
    const version = versionAfter(await (await bob.get(path)).text(), 'intent', 'edit_incident');
    expect(version).toBe('1');

    expect((await alice.post(path, { intent: 'edit_incident', name: 'Logins slow for Alice', version })).status).toBe(303);
    const second = await bob.post(path, { intent: 'edit_incident', name: 'Logins slow for Bob', version });
    expect(second.status).toBe(409);
    const page = await second.text();
    expect(page).toContain('Someone else saved this first');
    expect(page).toMatch(/<pre class="conflict-text"[^>]*>Logins slow for Alice<\/pre>/);
    expect(page).toMatch(/<pre class="conflict-text"[^>]*>Logins slow for Bob<\/pre>/);
    expect(page).toMatch(/name="name"[^>]*value="Logins slow for Bob"/);
    expect(site.db.select().from(incidents).where(eq(incidents.id, incidentId)).get()!.name).toBe('Logins slow for Alice');

    // The form now carries the stored version: saving again replaces Alice's name by choice.
    const newer = versionAfter(page, 'intent', 'edit_incident');
    expect(newer).toBe('2');
    expect((await bob.post(path, { intent: 'edit_incident', name: 'Logins slow for Bob', version: newer })).status).toBe(303);
    expect(site.db.select().from(incidents).where(eq(incidents.id, incidentId)).get()).toMatchObject({ name: 'Logins slow for Bob', version: 3 });
  });

  it('refuses the second correction of an update from the same version', async () => {
    const { incidentId, updateId } = freshIncident();
    const [alice, bob] = [await signedInStaff(site, 'editor'), await signedInStaff(site, 'editor')];
    const path = `/admin/incidents/${incidentId}`;
    const version = versionAfter(await (await alice.get(path)).text(), 'updateId', updateId);
    expect(version).toBe('1');
    const correct = (body: string) => ({ intent: 'edit_update', updateId, version, [`body-${updateId}`]: body, [`displayAt-${updateId}`]: '' });

    expect((await alice.post(path, correct('Logins take 30 seconds.'))).status).toBe(303);
    const second = await bob.post(path, correct('Logins fail for SSO users.'));
    expect(second.status).toBe(409);
    const page = await second.text();
    expect(page).toContain('Logins take 30 seconds.');
    expect(page).toContain('Logins fail for SSO users.');
    expect(site.db.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get()).toMatchObject({ body: 'Logins take 30 seconds.', version: 2 });
  });

  it('refuses the second component edit from the same version', async () => {
    const { componentId } = freshComponent();
    const [alice, bob] = [await signedInStaff(site, 'admin'), await signedInStaff(site, 'admin')];
    const version = versionAfter(await (await alice.get('/admin/components')).text(), 'componentId', componentId);
    expect(version).toBe('1');
    const edit = (description: string) => ({ intent: 'edit_component', componentId, name: 'Search', description, groupId: '', version });

    expect((await alice.post('/admin/components', edit('Finds cards and boards.'))).status).toBe(303);
    const second = await bob.post('/admin/components', edit('Full-text search.'));
    expect(second.status).toBe(409);
    const page = await second.text();
    expect(page).toContain('Finds cards and boards.');
    expect(page).toContain('Full-text search.');
    expect(site.db.select().from(components).where(eq(components.id, componentId)).get()!.description).toBe('Finds cards and boards.');
  });

  it('says it in Japanese for a Japanese admin', async () => {
    const { incidentId } = freshIncident();
    const staff = await signedInStaff(site, 'editor');
    const res = await fetch(`${site.url}/admin/incidents/${incidentId}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url, cookie: staff.cookie, 'accept-language': 'ja' },
      body: new URLSearchParams({ intent: 'edit_incident', name: '別の名前', version: '7' }),
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('先にほかの人が保存しました');
    expect(page).toContain('別の名前');
  });
});

describe('the write API with versions', () => {
  it('answers 409 CONFLICT with the current version to the second PATCH of a component from the same version', async () => {
    const { componentId } = freshComponent();
    const t = token();
    const first = await call('PATCH', `components/${componentId}`, t, { status: 'partial_outage', version: 1 });
    expect(first.status).toBe(200);
    expect((await first.json()).version).toBe(2);
    const second = await call('PATCH', `components/${componentId}`, t, { status: 'operational', version: 1 });
    expect(second.status).toBe(409);
    const body = await second.json();
    expect(body.error).toMatchObject({ code: 'CONFLICT', current_version: 2, current: { status: 'partial_outage' } });
    const read = await (await fetch(`${site.url}/api/v2/components.json`)).json();
    expect(read.components.find((c: { id: string }) => c.id === componentId).status).toBe('partial_outage');

    // If-Match works the same; without a version the last write wins, as before.
    expect((await call('PATCH', `components/${componentId}`, t, { status: 'operational' }, { 'if-match': '"1"' })).status).toBe(409);
    expect((await call('PATCH', `components/${componentId}`, t, { status: 'operational' }, { 'if-match': '"2"' })).status).toBe(200);
    expect((await call('PATCH', `components/${componentId}`, t, { status: 'major_outage' })).status).toBe(200);
    expect((await call('PATCH', `components/${componentId}`, t, { status: 'operational', version: 'two' })).status).toBe(422);
  });

  it('refuses the second PATCH of an incident or update from the same version, changing nothing', async () => {
    const { incidentId, updateId } = freshIncident();
    const t = token();
    const read = await (await call('GET', `incidents/${incidentId}`, t, undefined)).json();
    expect(read.version).toBe(1);
    expect(read.incident_updates[0]).toMatchObject({ id: updateId, version: 1 });

    expect((await call('PATCH', `incidents/${incidentId}`, t, { name: 'First rename', version: 1 })).status).toBe(200);
    const second = await call('PATCH', `incidents/${incidentId}`, t, { name: 'Second rename', version: 1 });
    expect(second.status).toBe(409);
    expect((await second.json()).error).toMatchObject({ code: 'CONFLICT', current_version: 2, current: { name: 'First rename' } });

    expect((await call('PATCH', `incidents/${incidentId}/updates/${updateId}`, t, { body: 'First text.', version: 1 })).status).toBe(200);
    const late = await call('PATCH', `incidents/${incidentId}/updates/${updateId}`, t, { body: 'Second text.' }, { 'if-match': '1' });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toMatchObject({ code: 'CONFLICT', current_version: 2, current: { body: 'First text.' } });
    const after = await (await call('GET', `incidents/${incidentId}`, t, undefined)).json();
    expect(after).toMatchObject({ name: 'First rename', version: 2 });
    expect(after.incident_updates[0]).toMatchObject({ body: 'First text.', version: 2 });
  });
});
