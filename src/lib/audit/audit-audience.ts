// Who may read an audit entry. Entries about staff accounts (sign-in
// addresses), tokens, subscribers, webhooks and chat channels (their URLs),
// settings, status pages (their hosts and who may read them), imports and
// checks carry what only admins see elsewhere, so only
// admins read them; the rest is every staff member's. Decided once, from the
// action, when the entry is written; migration 0021 classified the older
// entries by the same prefixes.
import type { Role } from '../auth/users';
import { AUDIT_KINDS, type AuditKind } from './audit-kinds';

export type AuditAudience = 'staff' | 'admins';

/** Action prefixes (before the dot) whose entries only admins read. */
const ADMIN_ONLY_AUDIT_PREFIXES = ['user', 'token', 'subscriber', 'webhook', 'chat', 'settings', 'page', 'import', 'check'] as const;

export function auditAudienceOf(action: string): AuditAudience {
  const prefix = action.slice(0, action.indexOf('.'));
  return (ADMIN_ONLY_AUDIT_PREFIXES as readonly string[]).includes(prefix) ? 'admins' : 'staff';
}

/** The audiences a reader of this role may read. */
export function audiencesFor(role: Role): AuditAudience[] {
  return role === 'admin' ? ['staff', 'admins'] : ['staff'];
}

/** Filter kinds made only of admins' entries: an editor is not offered them. */
const ADMIN_ONLY_KINDS: readonly AuditKind[] = ['staff', 'sign_ins', 'tokens', 'subscribers', 'checks', 'pages'];

export function auditKindsFor(role: Role): AuditKind[] {
  return role === 'admin' ? [...AUDIT_KINDS] : AUDIT_KINDS.filter((k) => !ADMIN_ONLY_KINDS.includes(k));
}
