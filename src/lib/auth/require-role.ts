import { ShiraseError } from '../errors';
import type { SessionUser } from './sessions';

/** Admins may do everything; editors run incidents, maintenance, component status and postmortems. */
export function requireAdmin(user: SessionUser): void {
  if (user.role !== 'admin') {
    throw new ShiraseError('FORBIDDEN', 'Only admins can do this.', { hint: 'Ask an admin to make the change, or to give your account the admin role.' });
  }
}
