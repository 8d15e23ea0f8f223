// Admin → Status pages (admins only): add a page, change one, remove one.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import { readVersion } from '../edit-version';
import { ShiraseError } from '../errors';
import type { Locale } from '../i18n/messages';
import { addPage } from '../pages/add-page';
import { editPage } from '../pages/edit-page';
import { removePage } from '../pages/remove-page';
import { loadPage, type PageView } from '../pages/load-pages';
import { viewerPattern } from '../viewers/viewer-access';
import { actorFor, text } from './form-input';
import { requireConfirmation } from './run-form';

/** The host names typed one a line (commas and spaces separate them too). */
function hostsFrom(form: FormData): string[] {
  return text(form, 'hosts')
    .split(/[\s,]+/)
    .filter((host) => host !== '');
}

/** The language picked, or null for the site's; the verb's schema refuses anything else. */
function languageFrom(form: FormData): Locale | null {
  const value = text(form, 'defaultLocale');
  return value === '' ? null : (value as Locale);
}

/**
 * Who may see the page, typed one a line. A rule the API gave components of
 * its own keeps them: the form shows only the addresses and domains, and
 * saving it must not widen what that group sees.
 */
function viewersFrom(form: FormData, before: PageView | undefined): { pattern: string; componentIds: string[] | null }[] {
  const held = new Map(before?.viewers.map((v) => [v.pattern, v.componentIds]) ?? []);
  return text(form, 'viewers')
    .split(/[\s,]+/)
    .filter((line) => line !== '')
    .map((pattern) => ({ pattern, componentIds: held.get(viewerPattern(pattern) ?? '') ?? null }));
}

/** The page's fields as both forms send them (the default page's form has no privacy: it stays public). */
function pageFields(form: FormData, before?: PageView) {
  return {
    slug: text(form, 'slug'),
    hosts: hostsFrom(form),
    componentIds: form.getAll('componentIds').map(String),
    defaultLocale: languageFrom(form),
    ...(before?.isDefault ? {} : { private: form.get('private') === 'yes', viewers: viewersFrom(form, before) }),
  };
}

/** Runs the submitted form and returns where to go next. */
export function handlePageForm(db: Db, form: FormData, user: SessionUser, now: number): string {
  const ctx = { now, actor: actorFor(user) };
  // The page being changed or removed, by the slug it had when the form was shown.
  const page = text(form, 'page');
  switch (text(form, 'intent')) {
    case 'add':
      addPage(db, { ...pageFields(form), name: text(form, 'name') }, ctx);
      return '/admin/pages?done=pageAdded';
    case 'edit':
      // The default page's form has no name: it is called by the site's.
      editPage(
        db,
        page,
        { ...pageFields(form, loadPage(db, page)), ...(form.has('name') ? { name: text(form, 'name') } : {}), version: readVersion(form.get('version')) },
        ctx,
      );
      return '/admin/pages?done=saved';
    case 'remove':
      requireConfirmation(form, 'admin.pages.removeConfirm', { slug: page });
      removePage(db, page, ctx, readVersion(form.get('version')));
      return '/admin/pages?done=pageRemoved';
    default:
      throw new ShiraseError('VALIDATION', 'errors.form.noIntent', { hint: 'errors.hint.reload' });
  }
}
