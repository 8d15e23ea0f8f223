import { ShiraseError } from '../errors';
import type { SessionUser } from './sessions';

/** Admins may do everything; editors run incidents, maintenance, component status and postmortems. */
export function requireAdmin(user: SessionUser): void {
  if (user.role !== 'admin') {
    throw new ShiraseError('FORBIDDEN', 'errors.role.adminOnly', { hint: 'errors.role.adminOnly.hint' });
  }
}
