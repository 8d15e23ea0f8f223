import { ShiraseError } from '../errors';
import type { SessionUser } from './sessions';
import type { Role } from './users';

/**
 * Who may do what on the staff screens, declared once: the middleware reads
 * the routes, pages read the permissions to hide what a role may not use, and
 * form handlers refuse the same permissions. Nothing else compares roles.
 */

/** An admin may do everything an editor may, and more. */
const RANK: Record<Role, number> = { editor: 1, admin: 2 };

function holds(user: Pick<SessionUser, 'role'> | undefined, needed: Role): boolean {
  return user !== undefined && RANK[user.role] >= RANK[needed];
}

/**
 * Who may read (GET, HEAD) and who may write (any other method) one staff
 * route. A method with no role here is one the route does not take: it is
 * refused for everyone. `endpoint` marks a route that answers data rather
 * than a page, so a refusal there is the JSON error, not a page.
 */
export interface StaffRouteAccess {
  read?: Role;
  write?: Role;
  endpoint?: true;
}

/**
 * Every staff route, by the pattern Astro runs (`context.routePattern`).
 * Editors run incidents, maintenance, component status, postmortems and
 * templates; admins also manage accounts, tokens, settings, recipients,
 * checks and status pages. Screens both may use but where some actions are an admin's name
 * those actions in PERMISSIONS below.
 */
export const STAFF_ROUTES = {
  '/admin': { read: 'editor' },
  '/admin/account': { read: 'editor', write: 'editor' },
  '/admin/account/two-factor': { read: 'editor', write: 'editor' },
  '/admin/alerts': { read: 'editor', write: 'editor' },
  '/admin/audit': { read: 'editor' },
  '/admin/audit.csv': { read: 'editor', endpoint: true },
  '/admin/checks': { read: 'editor' },
  '/admin/checks/new': { read: 'admin', write: 'admin' },
  '/admin/checks/[id]': { read: 'editor', write: 'admin' },
  '/admin/checks/[id]/edit': { read: 'admin', write: 'admin' },
  '/admin/components': { read: 'editor', write: 'editor' },
  '/admin/embed': { read: 'editor' },
  '/admin/forbidden': { read: 'editor' },
  '/admin/incidents/new': { read: 'editor', write: 'editor' },
  '/admin/incidents/[id]': { read: 'editor', write: 'editor' },
  '/admin/logout': { write: 'editor', endpoint: true },
  // Stored mails carry subscribers' addresses and their confirm and manage links.
  '/admin/mail': { read: 'admin' },
  '/admin/maintenance/new': { read: 'editor', write: 'editor' },
  // Which host names reach which page, and what each shows.
  '/admin/pages': { read: 'admin', write: 'admin' },
  '/admin/postmortems': { read: 'editor' },
  '/admin/postmortems/edit': { read: 'editor', write: 'editor' },
  '/admin/preview': { write: 'editor', endpoint: true },
  '/admin/settings': { read: 'admin', write: 'admin' },
  '/admin/settings/import': { read: 'admin', write: 'admin' },
  // Addresses, webhook URLs and delivery errors: nothing of them is read for an editor.
  '/admin/subscribers': { read: 'admin', write: 'admin' },
  '/admin/subscribers.csv': { read: 'admin', endpoint: true },
  '/admin/templates': { read: 'editor', write: 'editor' },
  '/admin/tokens': { read: 'admin', write: 'admin' },
  '/admin/update-placement': { write: 'editor', endpoint: true },
  '/admin/uptime': { read: 'editor', write: 'editor' },
  '/admin/users': { read: 'admin', write: 'admin' },
} as const satisfies Record<string, StaffRouteAccess>;

export type StaffRoute = keyof typeof STAFF_ROUTES;

/** A staff route nobody declared is for admins only, so a forgotten entry locks editors out rather than in. */
const UNDECLARED: StaffRouteAccess = { read: 'admin', write: 'admin' };

/** What one role may do beyond another on a screen both may use. */
export const PERMISSIONS = {
  /** Adding, editing, ordering and removing components; setting a status is every editor's job. */
  'manage-components': 'admin',
  /** Saving, ordering and deleting alert rules; trying labels against them is every editor's. */
  'manage-alert-rules': 'admin',
  /** The uptime targets; correcting the status history is every editor's. */
  'set-uptime-targets': 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

/** Staff routes are decided by the route that will run, never by how the path was spelled. */
export function isStaffRoute(routePattern: string): boolean {
  return (routePattern === '/admin' || routePattern.startsWith('/admin/')) && routePattern !== '/admin/login';
}

export function staffRouteAccess(routePattern: string): StaffRouteAccess {
  return Object.hasOwn(STAFF_ROUTES, routePattern) ? STAFF_ROUTES[routePattern as StaffRoute] : UNDECLARED;
}

/** Whether the route takes this method at all, and if so whether this user may use it. */
export function staffRouteVerdict(user: Pick<SessionUser, 'role'>, routePattern: string, method: string): 'allowed' | 'forbidden' | 'not-taken' {
  const access = staffRouteAccess(routePattern);
  const needed = method === 'GET' || method === 'HEAD' ? access.read : access.write;
  if (needed === undefined) return 'not-taken';
  return holds(user, needed) ? 'allowed' : 'forbidden';
}

/** Whether this user may open the screen: for links and for what a screen shows of another's. */
export function mayRead(user: Pick<SessionUser, 'role'> | undefined, route: StaffRoute): boolean {
  const needed = staffRouteAccess(route).read;
  return needed !== undefined && holds(user, needed);
}

/** Whether this user may send the screen's forms: for the buttons a screen shows. */
export function mayWrite(user: Pick<SessionUser, 'role'> | undefined, route: StaffRoute): boolean {
  const needed = staffRouteAccess(route).write;
  return needed !== undefined && holds(user, needed);
}

export function can(user: Pick<SessionUser, 'role'> | undefined, permission: Permission): boolean {
  return holds(user, PERMISSIONS[permission]);
}

/** The refusal every staff door gives, whether the route or an action on it was refused. */
export function staffForbidden(): ShiraseError {
  return new ShiraseError('FORBIDDEN', 'errors.role.adminOnly', { hint: 'errors.role.adminOnly.hint' });
}

export function requirePermission(user: Pick<SessionUser, 'role'>, permission: Permission): void {
  if (!can(user, permission)) throw staffForbidden();
}
