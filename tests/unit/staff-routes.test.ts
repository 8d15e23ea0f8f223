import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { can, isStaffRoute, mayRead, mayWrite, PERMISSIONS, STAFF_ROUTES, staffRouteAccess, staffRouteVerdict } from '../../src/lib/auth/staff-access';

const PAGES = 'src/pages';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The pattern Astro gives a page file: its path without the extension, an index file named by its folder. */
function routePatternOf(file: string): string {
  const path = '/' + relative(PAGES, file).replace(/\.(astro|ts)$/, '');
  return path.endsWith('/index') ? path.slice(0, -'/index'.length) : path;
}

const staffFiles = filesUnder(join(PAGES, 'admin'))
  .map((file) => ({ file, route: routePatternOf(file), source: readFileSync(file, 'utf8') }))
  .filter(({ route }) => isStaffRoute(route));

describe('the staff route declaration', () => {
  it('finds the staff pages under src/pages/admin, and nothing but the sign-in page is left out', () => {
    expect(staffFiles.length).toBeGreaterThanOrEqual(30);
    expect(staffFiles.some(({ route }) => route === '/admin/checks/[id]/edit')).toBe(true);
    expect(isStaffRoute('/admin/login')).toBe(false);
  });

  it('has an entry for every file under src/pages/admin, so no screen is left to decide for itself', () => {
    const undeclared = staffFiles.filter(({ route }) => !Object.hasOwn(STAFF_ROUTES, route)).map(({ file }) => file);
    expect(undeclared).toEqual([]);
  });

  it('names no route that has no file', () => {
    const routes = new Set(staffFiles.map(({ route }) => route));
    expect(Object.keys(STAFF_ROUTES).filter((route) => !routes.has(route))).toEqual([]);
  });

  it('declares writes exactly where a route handles them, reads where it answers them, and marks endpoints', () => {
    for (const { file, route, source } of staffFiles) {
      const access = staffRouteAccess(route);
      const endpoint = file.endsWith('.ts');
      expect(access.endpoint === true, `${route} endpoint`).toBe(endpoint);
      const takesWrites = endpoint ? /export const POST\b/.test(source) : source.includes("Astro.request.method === 'POST'");
      const takesReads = endpoint ? /export const GET\b/.test(source) : true;
      expect(access.write !== undefined, `${route} write`).toBe(takesWrites);
      expect(access.read !== undefined, `${route} read`).toBe(takesReads);
    }
  });

  it('leaves comparisons of a role with a role name out of the staff pages', () => {
    const comparing = staffFiles.filter(({ source }) => /\.role\s*[!=]==\s*['"]|['"](admin|editor)['"]\s*[!=]==/.test(source)).map(({ file }) => file);
    expect(comparing).toEqual([]);
  });
});

describe('deciding a staff request', () => {
  const editor = { role: 'editor' as const };
  const admin = { role: 'admin' as const };

  it('refuses an editor, and lets an admin through, on a staff route nobody declared', () => {
    expect(staffRouteVerdict(editor, '/admin/forgotten', 'GET')).toBe('forbidden');
    expect(staffRouteVerdict(editor, '/admin/forgotten', 'POST')).toBe('forbidden');
    expect(staffRouteVerdict(admin, '/admin/forgotten', 'GET')).toBe('allowed');
    expect(staffRouteVerdict(admin, '/admin/forgotten', 'POST')).toBe('allowed');
  });

  it('reads HEAD as a read and any other method as a write', () => {
    expect(staffRouteVerdict(editor, '/admin/checks/[id]', 'HEAD')).toBe('allowed');
    expect(staffRouteVerdict(editor, '/admin/checks/[id]', 'DELETE')).toBe('forbidden');
    expect(staffRouteVerdict(admin, '/admin/checks/[id]', 'PUT')).toBe('allowed');
  });

  it('says a method the route does not take is not taken, for admins too', () => {
    expect(staffRouteVerdict(admin, '/admin/audit', 'POST')).toBe('not-taken');
    expect(staffRouteVerdict(admin, '/admin/logout', 'GET')).toBe('not-taken');
  });

  it('answers the page helpers from the same entries and permissions', () => {
    expect(mayRead(editor, '/admin/checks')).toBe(true);
    expect(mayRead(editor, '/admin/checks/new')).toBe(false);
    expect(mayWrite(editor, '/admin/checks/[id]')).toBe(false);
    expect(mayWrite(admin, '/admin/checks/[id]')).toBe(true);
    expect(mayRead(undefined, '/admin')).toBe(false);
    for (const permission of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) {
      expect(can(admin, permission), permission).toBe(true);
      expect(can(editor, permission), permission).toBe(false);
    }
  });
});
