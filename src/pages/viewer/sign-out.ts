// A viewer of a private page signs out: the session ends at once, on every browser tab.
import type { APIRoute } from 'astro';
import { VIEWER_COOKIE, signOutViewer } from '../../lib/viewers/viewer-access';

export const POST: APIRoute = ({ cookies, locals, redirect }) => {
  signOutViewer(locals.shirase.db, cookies.get(VIEWER_COOKIE)?.value);
  cookies.delete(VIEWER_COOKIE, { path: '/' });
  return redirect(locals.link('/viewer/sign-in'), 303);
};
