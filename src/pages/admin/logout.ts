import type { APIRoute } from 'astro';
import { endSession, SESSION_COOKIE } from '../../lib/auth/sessions';

export const POST: APIRoute = ({ locals, cookies, redirect }) => {
  endSession(locals.shirase.db, cookies.get(SESSION_COOKIE)?.value);
  cookies.delete(SESSION_COOKIE, { path: '/' });
  return redirect('/admin/login', 303);
};
