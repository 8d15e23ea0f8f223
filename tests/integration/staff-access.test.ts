import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, components, incidents } from '../../db/schema';
import { STAFF_ROUTES, staffRouteAccess, type StaffRoute } from '../../src/lib/auth/staff-access';
import { createCheck } from '../../src/lib/checks/save-check';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';

type Staff = Awaited<ReturnType<typeof signedInStaff>>;

let site: TestSite;
let editor: Staff;
let admin: Staff;
let ids: Record<string, string>;

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  [editor, admin] = await Promise.all([signedInStaff(site, 'editor'), signedInStaff(site, 'admin')]);
  // The demo seeds incidents; its check needs the site's address, so one that never runs stands in.
  // A route with another parameter must be named here before it can be tried.
  createCheck(
    site.db,
    {
      name: 'Idle probe',
      kind: 'http',
      target: `${site.url}/api/v2/status.json`,
      intervalSeconds: 60,
      timeoutSeconds: 2,
      expectedStatus: '200',
      failuresBefore: 3,
      labels: '',
      enabled: false,
    },
    { now: Date.now() },
  );
  ids = { checks: site.db.select({ id: checks.id }).from(checks).get()!.id, incidents: site.db.select({ id: incidents.id }).from(incidents).get()!.id };
});
afterAll(() => site?.close());

const routes = Object.keys(STAFF_ROUTES) as StaffRoute[];
/** The refusal page exists only as the answer to a refused read; asked for by name it is not found (see below). */
const REFUSAL_PAGE = '/admin/forbidden';

/** A path for the route with its [id] filled in from the seeded demo. */
function pathOf(route: string): string {
  return route.replace(/\/([a-z-]+)\/\[id\]/, (_whole, collection: string) => {
    const id = ids[collection];
    if (!id) throw new Error(`No demo id for ${route}: add one for "${collection}" to this test.`);
    return `/${collection}/${id}`;
  });
}

/**
 * What each writable route is sent: a form that changes nothing it could not
 * refuse, with the one action every role that may write there is allowed
 * (trying labels, setting a status, correcting history), so a 403 can only
 * be the route's own refusal.
 */
function harmlessWrite(route: StaffRoute): Record<string, string> {
  if (route === '/admin/alerts') return { intent: 'try', tryLabels: 'service="nothing"' };
  if (route === '/admin/components')
    return { intent: 'set_status', componentId: site.db.select({ id: components.id }).from(components).get()!.id, status: 'operational' };
  if (route === '/admin/uptime') return { intent: 'correct' };
  return {};
}

/** Logging out ends the session, so it gets a session of its own. */
async function writerFor(route: StaffRoute, role: 'admin' | 'editor'): Promise<Staff> {
  if (route === '/admin/logout') return signedInStaff(site, role);
  return role === 'admin' ? admin : editor;
}

async function expectRefused(res: Response, route: StaffRoute, reading: boolean) {
  const label = `${reading ? 'GET' : 'POST'} ${route}`;
  expect(res.status, label).toBe(403);
  const body = await res.text();
  if (staffRouteAccess(route).endpoint === true) {
    expect(JSON.parse(body).error, label).toMatchObject({ code: 'FORBIDDEN', key: 'errors.role.adminOnly' });
  } else if (reading) {
    expect(body, label).toContain('Only admins can see and change this page.');
    expect(body, label).toContain('<title>Admins only');
  } else {
    expect(body, label).toBe('Only admins can do this.');
  }
}

/** The route ran: a read shows its screen; a write's empty or harmless form is done or refused for its fields, never for the role. */
async function expectThrough(res: Response, label: string, reading: boolean) {
  if (reading) expect(res.status, label).toBe(200);
  else expect([200, 201, 303, 422], `${label} answered ${res.status}`).toContain(res.status);
  await res.body?.cancel();
}

describe('every staff route as the declaration says', () => {
  it('keeps these screens for admins: loosening one is a decision this list must be changed for', () => {
    const adminReads = routes.filter((r) => staffRouteAccess(r).read === 'admin');
    const adminWrites = routes.filter((r) => staffRouteAccess(r).write === 'admin');
    expect(adminReads).toEqual(
      expect.arrayContaining([
        '/admin/checks/new',
        '/admin/checks/[id]/edit',
        '/admin/mail',
        '/admin/pages',
        '/admin/settings',
        '/admin/settings/import',
        '/admin/subscribers',
        '/admin/subscribers.csv',
        '/admin/tokens',
        '/admin/users',
      ]),
    );
    expect(adminWrites).toEqual(
      expect.arrayContaining([
        '/admin/checks/new',
        '/admin/checks/[id]',
        '/admin/checks/[id]/edit',
        '/admin/pages',
        '/admin/settings',
        '/admin/settings/import',
        '/admin/subscribers',
        '/admin/tokens',
        '/admin/users',
      ]),
    );
  });

  it('lets an editor read exactly the routes declared for editors, and refuses the rest with 403', async () => {
    for (const route of routes) {
      const declared = staffRouteAccess(route);
      if (declared.read === undefined || route === REFUSAL_PAGE) continue;
      const res = await editor.get(pathOf(route));
      if (declared.read === 'editor') await expectThrough(res, `GET ${route}`, true);
      else await expectRefused(res, route, true);
    }
  });

  it('lets an editor write exactly where declared for editors, and refuses the rest with 403', async () => {
    for (const route of routes) {
      const declared = staffRouteAccess(route);
      if (declared.write === undefined) continue;
      const res = await (await writerFor(route, 'editor')).post(pathOf(route), harmlessWrite(route));
      if (declared.write === 'editor') await expectThrough(res, `POST ${route}`, false);
      else await expectRefused(res, route, false);
    }
  });

  it('lets an admin read and write every route', async () => {
    for (const route of routes) {
      const declared = staffRouteAccess(route);
      if (declared.read !== undefined && route !== REFUSAL_PAGE) await expectThrough(await admin.get(pathOf(route)), `GET ${route}`, true);
      if (declared.write !== undefined)
        await expectThrough(await (await writerFor(route, 'admin')).post(pathOf(route), harmlessWrite(route)), `POST ${route}`, false);
    }
  });

  it('answers 405 to a method a route does not take, whoever asks', async () => {
    for (const route of routes) {
      const declared = staffRouteAccess(route);
      for (const staff of [editor, admin]) {
        if (declared.read === undefined) expect((await staff.get(pathOf(route))).status, `GET ${route}`).toBe(405);
        if (declared.write === undefined) expect((await staff.post(pathOf(route), {})).status, `POST ${route}`).toBe(405);
      }
    }
  });
});

describe('the refusal', () => {
  it('is a staff page in the reader’s language, naming what to do', async () => {
    const res = await editor.get('/ja/admin/users');
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<html lang="ja"');
    expect(html).toContain('このページは管理者だけが閲覧・変更できます。');
    expect(html).toContain('管理者に変更を依頼するか、管理者の役割を付けてもらってください。');
    expect(html).toContain('<title>管理者専用');
    // The menu is the editor's: no entry for a screen they may not open.
    expect(html).toContain('href="/admin/components"');
    expect(html).not.toContain('href="/admin/users"');
  });

  it('is nothing when asked for by name', async () => {
    expect((await admin.get(REFUSAL_PAGE)).status).toBe(404);
    expect((await editor.get(REFUSAL_PAGE)).status).toBe(404);
  });
});

describe('screens editors and admins share', () => {
  it('show an editor no admin action, and an admin each of them', async () => {
    const screens: [string, string][] = [
      ['/admin/components', 'value="create_component"'],
      ['/admin/alerts', 'name="intent" value="save"'],
      ['/admin/uptime', 'value="set_targets"'],
      ['/admin/checks', 'href="/admin/checks/new"'],
      [pathOf('/admin/checks/[id]'), 'value="delete"'],
      ['/admin', 'href="/admin/subscribers#deliveries"'],
    ];
    for (const [path, action] of screens) {
      const asEditor = await editor.get(path);
      expect(asEditor.status, path).toBe(200);
      expect(await asEditor.text(), path).not.toContain(action);
      expect(await (await admin.get(path)).text(), path).toContain(action);
    }
  });
});
