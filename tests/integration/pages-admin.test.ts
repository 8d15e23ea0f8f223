// Administering status pages: the verb that changes one (versioned, audited,
// refusing what cannot be), the pages API with its admin-only scope, and
// Admin → Status pages, against the real server and a seeded database.
import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../db/schema';
import type { TokenScope } from '../../src/lib/auth/api-tokens';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { setUserRole } from '../../src/lib/auth/set-user-role';
import { ShiraseError } from '../../src/lib/errors';
import { addPage } from '../../src/lib/pages/add-page';
import { editPage } from '../../src/lib/pages/edit-page';
import { listPages, loadPage } from '../../src/lib/pages/load-pages';
import type { PageEdit } from '../../src/lib/pages/page-input';
import { removePage } from '../../src/lib/pages/remove-page';
import { changeCounterReader } from '../../src/lib/site/change-counter';
import { createComponent } from '../../src/lib/components/create-component';
import { removeComponent } from '../../src/lib/components/remove-component';
import { setComponentStatus } from '../../src/lib/components/set-component-status';
import { listAudit } from '../../src/lib/audit/list-audit';
import { signedInStaff } from '../support/staff';
import { apiCaller, visibleText as visible } from '../support/api-and-text';
import { startTestSite, type TestSite } from '../support/test-server';

let site: TestSite;
let componentIds: Record<string, string>;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
  const rows = site.db.$client.prepare('SELECT name, id FROM components').all() as { name: string; id: string }[];
  componentIds = Object.fromEntries(rows.map((r) => [r.name, r.id]));
});
afterAll(() => site?.close());

let unique = 0;
/** A slug and host no other test uses. */
const fresh = (stem: string) => {
  const n = `${stem}-${++unique}`;
  return { slug: n, host: `status.${n}.example.com` };
};
const ctx = () => ({ now: Date.now(), actor: { kind: 'system' as const, id: null, label: 'test' } });
const refusal = (run: () => unknown): { code: string; fields: string[] } => {
  try {
    run();
  } catch (error) {
    if (error instanceof ShiraseError) return { code: error.code, fields: error.fields.map((f) => `${f.field}: ${f.key}`) };
    throw error;
  }
  throw new Error('accepted');
};
const auditOf = (pageId: string) =>
  site.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.entityId, pageId))
    .all()
    .map((a) => ({
      action: a.action,
      actor: a.actorLabel,
      audience: a.audience,
      before: JSON.parse(a.before ?? 'null'),
      after: JSON.parse(a.after ?? 'null'),
    }));

describe('editPage', () => {
  it('changes the slug, name, hosts, components and language at once, one version on, audited with before and after, and tells the server', () => {
    const { slug, host } = fresh('edit');
    const { pageId } = addPage(site.db, { slug, name: 'Mobile', hosts: [host], componentIds: [componentIds['iOS app']!] }, ctx());
    const counter = changeCounterReader(site.db);
    const before = counter();
    const after = editPage(
      site.db,
      slug,
      {
        slug: `${slug}-app`,
        name: 'Mobile apps',
        hosts: [host, 'Apps.Example.com.', 'apps.example.com'],
        componentIds: [componentIds['iOS app']!, componentIds['Android app']!],
        defaultLocale: 'ja',
        version: 1,
      },
      ctx(),
    );
    expect(after).toMatchObject({
      id: pageId,
      slug: `${slug}-app`,
      name: 'Mobile apps',
      hosts: ['apps.example.com', host],
      defaultLocale: 'ja',
      version: 2,
    });
    expect([...after.componentIds].sort()).toEqual([componentIds['iOS app'], componentIds['Android app']].sort());
    expect(loadPage(site.db, slug)).toBeUndefined();
    expect(counter()).toBe(before + 1);
    const [, edit] = auditOf(pageId);
    expect(edit).toMatchObject({ action: 'page.edit', actor: 'test', audience: 'admins', before: { name: 'Mobile', hosts: [host], version: 1 }, after });

    // Only what is given changes; null gives the page the site's language again, and its own hosts are no clash.
    expect(editPage(site.db, `${slug}-app`, { hosts: [host], defaultLocale: null }, ctx())).toMatchObject({
      name: 'Mobile apps',
      hosts: [host],
      defaultLocale: null,
      version: 3,
    });
    expect(listAudit(site.db, { kind: 'pages' }, 'UTC', 'admin').rows.filter((r) => r.entityId === pageId)).toHaveLength(3);
    expect(listAudit(site.db, { kind: 'pages' }, 'UTC', 'editor').total).toBe(0);
  });

  it('refuses a host or slug another page has, an unknown component, a bad slug, a name for the default page and a private page, writing nothing', () => {
    const taken = fresh('taken');
    addPage(site.db, { slug: taken.slug, name: 'Taken', hosts: [taken.host] }, ctx());
    const { slug, host } = fresh('refused');
    addPage(site.db, { slug, name: 'Refused', hosts: [host] }, ctx());
    const edit = (input: PageEdit, of = slug) => refusal(() => editPage(site.db, of, input, ctx()));
    expect(edit({ slug: taken.slug, hosts: [host, taken.host.toUpperCase()], componentIds: ['nosuchcompon'] })).toEqual({
      code: 'VALIDATION',
      fields: ['slug: errors.field.pageSlugTaken', 'hosts: errors.field.pageHostTaken', 'componentIds: errors.field.pickComponent'],
    });
    for (const bad of ['-lead', 'double--hyphen', 'under_score', '../etc', ''])
      expect(edit({ slug: bad }), bad).toEqual({ code: 'VALIDATION', fields: ['slug: errors.field.pageSlug'] });
    expect(edit({ hosts: ['https://status.example.com'] })).toEqual({ code: 'VALIDATION', fields: ['hosts.0: errors.field.pageHost'] });
    expect(edit({ private: true }, 'default')).toEqual({ code: 'VALIDATION', fields: ['private: errors.field.pageDefaultPrivate'] });
    expect(edit({ viewers: ['@acme.example', 'nope'] })).toEqual({ code: 'VALIDATION', fields: ['viewers: errors.field.viewerPattern'] });
    expect(edit({ name: 'Another name' }, 'default')).toEqual({ code: 'VALIDATION', fields: ['name: errors.field.pageDefaultName'] });
    expect(edit({ name: 'x' }, 'no-such-page').code).toBe('NOT_FOUND');
    expect(loadPage(site.db, slug)).toMatchObject({ name: 'Refused', hosts: [host], private: false, version: 1 });
    expect(loadPage(site.db, 'default')).toMatchObject({ name: null, version: 1 });
  });

  it('refuses an edit or a removal that started from an older version, saying what is stored now', () => {
    const { slug, host } = fresh('stale');
    addPage(site.db, { slug, name: 'Stale', hosts: [host] }, ctx());
    editPage(site.db, slug, { name: 'Fresher', version: 1 }, ctx());
    let conflict: ShiraseError | undefined;
    try {
      editPage(site.db, slug, { name: 'Overwrites', version: 1 }, ctx());
    } catch (error) {
      conflict = error as ShiraseError;
    }
    expect(conflict).toMatchObject({ code: 'CONFLICT', key: 'errors.conflict' });
    expect(conflict!.options.current).toMatchObject({ version: 2, values: { name: 'Fresher', slug, hosts: host } });
    expect(refusal(() => removePage(site.db, slug, ctx(), 1)).code).toBe('CONFLICT');
    expect(loadPage(site.db, slug)).toMatchObject({ name: 'Fresher', version: 2 });
    removePage(site.db, slug, ctx(), 2);
    expect(loadPage(site.db, slug)).toBeUndefined();
  });
});

describe('a private page', () => {
  it('is added with who may see it, and a group’s components are kept when the form saves its lines again', async () => {
    const { slug } = fresh('private');
    const ios = site.db.$client.prepare("SELECT id FROM components WHERE name = 'iOS app'").pluck().get() as string;
    addPage(
      site.db,
      { slug, name: 'Partners', private: true, componentIds: [ios], viewers: ['Acme.example', { pattern: 'ops@other.example', componentIds: [ios] }] },
      ctx(),
    );
    expect(loadPage(site.db, slug)).toMatchObject({
      private: true,
      viewers: [
        { pattern: '@acme.example', componentIds: null },
        { pattern: 'ops@other.example', componentIds: [ios] },
      ],
    });
    // The form shows the lines only; saving them again keeps what each group sees.
    const admin = await signedInStaff(site);
    const page = loadPage(site.db, slug)!;
    const saved = await admin.post('/admin/pages', {
      intent: 'edit',
      page: slug,
      version: String(page.version),
      slug,
      name: 'Partners',
      hosts: '',
      defaultLocale: '',
      componentIds: [ios],
      private: 'yes',
      viewers: '@acme.example\nops@other.example\nnew@third.example',
    });
    expect(saved.status).toBe(303);
    expect(loadPage(site.db, slug)!.viewers).toEqual([
      { pattern: '@acme.example', componentIds: null },
      { pattern: 'new@third.example', componentIds: null },
      { pattern: 'ops@other.example', componentIds: [ios] },
    ]);
  });
});

const token = (scopes: TokenScope[]) => createApiToken(site.db, { name: `pages ${scopes.join('+')} ${++unique}`, scopes }, { now: Date.now() }).token;
const call = apiCaller(() => site);

/** The status page a browser at `host` is shown. */
function homeAt(host: string) {
  return new Promise<string>((resolve, reject) => {
    const req = request(new URL(site.url + '/'), { headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the pages API', () => {
  it('answers 401 without a valid token and 403 without the pages scope, which an editor’s role lacks, for every method', async () => {
    const { slug } = fresh('locked');
    addPage(site.db, { slug, name: 'Locked' }, ctx());
    const everyEditorScope = token(['read', 'incidents', 'components', 'maintenance', 'alerts', 'alert_rules']);
    const routes = [
      ['GET', 'pages'],
      ['POST', 'pages'],
      ['PATCH', `pages/${slug}`],
      ['DELETE', `pages/${slug}`],
    ] as const;
    for (const [method, path] of routes) {
      const body = method === 'POST' || method === 'PATCH' ? { slug: 'sneaky', name: 'x' } : undefined;
      const none = await call(method, path, null, body);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await call(method, path, 'shr_unknown', body)).status).toBe(401);
      const forbidden = await call(method, path, everyEditorScope, body);
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect((await forbidden.json()).error).toMatchObject({ code: 'FORBIDDEN', key: 'errors.token.scope' });
    }

    // An admin's token stops managing pages once its creator is an editor.
    const admin = await signedInStaff(site, 'admin');
    const adminId = site.db.select({ id: users.id }).from(users).where(eq(users.email, admin.email)).get()!.id;
    const { token: adminsToken } = createApiToken(
      site.db,
      { name: 'page bot', scopes: ['pages'] },
      { now: Date.now(), actor: { kind: 'user', id: adminId, label: admin.email } },
    );
    expect((await call('GET', 'pages', adminsToken)).status).toBe(200);
    setUserRole(site.db, adminId, 'editor', ctx());
    for (const [method, path] of routes) {
      const res = await call(method, path, adminsToken, method === 'POST' || method === 'PATCH' ? { slug: 'sneaky', name: 'x' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error.key).toBe('errors.token.creatorRole');
    }
    expect(loadPage(site.db, slug)).toMatchObject({ name: 'Locked', version: 1 });
    expect(loadPage(site.db, 'sneaky')).toBeUndefined();
  });

  it('lists, adds, changes and removes a page in snake_case, audited as the token, and the server answers its hosts', async () => {
    const t = token(['pages']);
    const { slug, host } = fresh('api');
    const created = await call('POST', 'pages', t, { slug, name: 'Partner API', hosts: [host], component_ids: [componentIds.API], default_locale: 'ja' });
    expect(created.status).toBe(201);
    const page = await created.json();
    expect(page).toMatchObject({
      slug,
      name: 'Partner API',
      default: false,
      hosts: [host],
      component_ids: [componentIds.API],
      default_locale: 'ja',
      private: false,
      version: 1,
    });
    expect(page.id).toMatch(/^[0-9a-z]{12}$/);
    expect(page.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const list = await (await call('GET', 'pages', t)).json();
    expect(list[0]).toMatchObject({ slug: 'default', default: true, name: null });
    expect(list.find((p: { slug: string }) => p.slug === slug)).toEqual(page);

    await site.server.checkForChanges();
    expect(await homeAt(host)).toContain('Partner API');
    const moved = `api.${host}`;
    const patched = await call('PATCH', `pages/${slug}`, t, { hosts: [moved], version: 1 });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ slug, name: 'Partner API', hosts: [moved], component_ids: [componentIds.API], version: 2 });
    // If-Match stands in for version.
    expect((await call('PATCH', `pages/${slug}`, t, { name: 'Partners' }, { 'if-match': 'W/"2"' })).status).toBe(200);
    await site.server.checkForChanges();
    expect(await homeAt(moved)).toContain('Partners');
    expect(await homeAt(host)).not.toContain('Partners');

    const removed = await call('DELETE', `pages/${slug}`, t, undefined, { 'if-match': '3' });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe('');
    expect(loadPage(site.db, slug)).toBeUndefined();
    const audit = auditOf(page.id);
    expect(audit.map((a) => a.action)).toEqual(['page.add', 'page.edit', 'page.edit', 'page.remove']);
    expect(audit.every((a) => a.actor.startsWith('token pages'))).toBe(true);
    expect(audit[1]).toMatchObject({ before: { hosts: [host], version: 1 }, after: { hosts: [moved], version: 2 } });
  });

  it('answers 400 for malformed JSON, 422 naming each field as sent, 404 for an unknown page and 409 for a stale version or the default page', async () => {
    const t = token(['pages']);
    const malformed = await call('POST', 'pages', t, '{"slug": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('BAD_REQUEST');
    expect((await call('POST', 'pages', t, '["x"]')).status).toBe(400);

    const taken = fresh('api-taken');
    addPage(site.db, { slug: taken.slug, name: 'Taken', hosts: [taken.host] }, ctx());
    const invalid = await call(
      'POST',
      'pages',
      t,
      { slug: 'Bad Slug', hosts: ['https://x.example.com'], default_locale: 'fr', private: 'yes' },
      { 'accept-language': 'ja' },
    );
    expect(invalid.status).toBe(422);
    const error = (await invalid.json()).error;
    expect(error.code).toBe('VALIDATION');
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['default_locale', 'hosts.0', 'name', 'private', 'slug']);
    expect(error.fields.find((f: { field: string }) => f.field === 'hosts.0').message).toContain('「https://x.example.com」はホスト名として読めません');
    const clash = await call('POST', 'pages', t, { slug: taken.slug, name: 'Again', hosts: [taken.host], component_ids: ['nosuchcompon'] });
    expect(clash.status).toBe(422);
    expect((await clash.json()).error.fields).toEqual([
      { field: 'slug', message: `Another page is already called “${taken.slug}”: pick another name for the address.` },
      { field: 'hosts', message: `${taken.host} already reaches another page: take it off that page first.` },
      { field: 'component_ids', message: 'Pick a component from the list.' },
    ]);

    expect((await call('PATCH', 'pages/no-such-page', t, { slug: '!!' })).status).toBe(404);
    const missing = await call('DELETE', 'pages/no-such-page', t);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.key).toBe('errors.notFound.page');
    const defaultName = await call('PATCH', 'pages/default', t, { name: 'Renamed' });
    expect(defaultName.status).toBe(422);
    expect((await defaultName.json()).error.fields).toEqual([
      { field: 'name', message: 'The default page is called by the site’s name: change that under Admin → Settings.' },
    ]);
    const stays = await call('DELETE', 'pages/default', t);
    expect(stays.status).toBe(409);
    expect((await stays.json()).error.key).toBe('errors.page.defaultStays');

    const stale = await call('PATCH', `pages/${taken.slug}`, t, { name: 'Overwritten', version: 7 });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({ code: 'CONFLICT', current_version: 1, current: { name: 'Taken', slug: taken.slug, hosts: taken.host } });
    expect((await call('DELETE', `pages/${taken.slug}`, t, undefined, { 'if-match': '7' })).status).toBe(409);
    expect(loadPage(site.db, taken.slug)).toMatchObject({ name: 'Taken', version: 1 });
  });

  it('is described in the OpenAPI document with the admin scope and examples', async () => {
    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths['/pages']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/pages/{slug}']).sort()).toEqual(['delete', 'patch']);
    for (const op of [doc.paths['/pages'].get, doc.paths['/pages'].post, doc.paths['/pages/{slug}'].patch, doc.paths['/pages/{slug}'].delete])
      expect(op.security).toEqual([{ bearer: ['pages'] }]);
    expect(doc.paths['/pages/{slug}'].delete.responses['204']).toBeDefined();
    expect(doc.components.schemas.NewStatusPage.required).toEqual(['slug', 'name']);
    expect(doc.components.schemas.NewStatusPage.example.hosts).toEqual(['status.mobile.example.com']);
    expect(doc.components.schemas.StatusPage.example).toMatchObject({ slug: 'mobile-app', default: false });
    expect(doc.info.description).toContain('pages');
  });
});

describe('Admin → Status pages', () => {
  it('is an admin’s: an editor is refused and not offered it, an admin finds it in the menu with every page listed', async () => {
    const editor = await signedInStaff(site, 'editor');
    expect((await editor.get('/admin/pages')).status).toBe(403);
    expect((await editor.post('/admin/pages', { intent: 'add', slug: 'by-editor', name: 'x' })).status).toBe(403);
    expect(await (await editor.get('/admin')).text()).not.toContain('href="/admin/pages"');
    expect(loadPage(site.db, 'by-editor')).toBeUndefined();

    const admin = await signedInStaff(site);
    const res = await admin.get('/admin/pages');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/admin/pages" aria-current="page">Status pages</a>');
    const text = visible(html);
    expect(text).toContain(`The site’s name (${site.config.siteName}) · default · Default page`);
    expect(text).toContain('Host names: every host that no other page names');
    expect(text).toContain(`Components: ${loadPage(site.db, 'default')!.componentIds.length}`);
    for (const p of listPages(site.db)) expect(html).toContain(`data-page="${p.slug}"`);
    // Every page but the default can be made private, with who may see it.
    expect(html.match(/name="private"/g)?.length).toBe(listPages(site.db).length);
    expect(text).toContain('Private: only the people below can see it');
    const ja = await admin.get('/ja/admin/pages');
    expect(visible(await ja.text())).toContain('非公開:下に挙げた人だけが見られる');
  });

  it('keeps what was typed when it refuses a new page, and says what to fix in plain words', async () => {
    const admin = await signedInStaff(site);
    const taken = fresh('form-taken');
    addPage(site.db, { slug: taken.slug, name: 'Taken', hosts: [taken.host] }, ctx());
    const res = await admin.post('/admin/pages', {
      intent: 'add',
      slug: taken.slug,
      name: 'Support desk',
      hosts: `help.example.com\nhttps://bad.example.com`,
      defaultLocale: 'ja',
      componentIds: [componentIds.API!],
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('value="Support desk"');
    expect(html).toContain(`id="new-slug" name="slug" maxlength="40" autocapitalize="off" spellcheck="false" value="${taken.slug}"`);
    expect(html).toMatch(/<textarea id="new-hosts"[^>]*aria-invalid="true"[^>]*>help\.example\.com\nhttps:\/\/bad\.example\.com<\/textarea>/);
    expect(html).toMatch(/<option value="ja" lang="ja" selected>/);
    expect(html).toContain(`<input type="checkbox" name="componentIds" value="${componentIds.API}" checked>`);
    expect(html).toContain(
      '<p class="field-error" id="new-hosts-error">“https://bad.example.com” is not a host name: give one such as status.example.com, without https:// or a port.</p>',
    );
    expect(visible(html)).toContain('The status page was not saved: one field needs fixing. Host names: “https://bad.example.com” is not a host name');

    // The host fixed, the slug another page has is named next, the rest still as typed.
    const again = await admin.post('/admin/pages', {
      intent: 'add',
      slug: taken.slug,
      name: 'Support desk',
      hosts: 'help.example.com',
      componentIds: [componentIds.API!],
    });
    expect(again.status).toBe(422);
    const next = await again.text();
    expect(next).toContain(`value="${taken.slug}" aria-invalid="true" aria-describedby="new-slug-hint new-slug-error"`);
    expect(visible(next)).toContain(`Address: Another page is already called “${taken.slug}”: pick another name for the address.`);
    expect(next).toContain('>help.example.com</textarea>');
    expect(loadPage(site.db, 'help')).toBeUndefined();

    const ja = await admin.post('/ja/admin/pages', { intent: 'add', slug: 'a--b', name: '', hosts: '' });
    expect(ja.status).toBe(422);
    const jaText = visible(await ja.text());
    expect(jaText).toContain('半角英小文字・数字・ハイフンで 1〜40 文字にし');
  });

  it('adds a page, changes it, refuses a stale save showing both, and removes it after asking', async () => {
    const admin = await signedInStaff(site);
    const { slug, host } = fresh('form');
    const added = await admin.post('/admin/pages', { intent: 'add', slug, name: 'Billing', hosts: host, componentIds: [componentIds.API!] });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/admin/pages?done=pageAdded');
    expect(visible(await (await admin.get('/admin/pages?done=pageAdded')).text())).toContain('Status page added.');
    const page = loadPage(site.db, slug)!;
    expect(page).toMatchObject({ name: 'Billing', hosts: [host], componentIds: [componentIds.API], version: 1 });

    const saved = await admin.post('/admin/pages', {
      intent: 'edit',
      page: slug,
      version: '1',
      slug,
      name: 'Billing and invoices',
      hosts: `${host}, invoices.example.com`,
      defaultLocale: '',
      componentIds: [componentIds.API!, componentIds['Web app']!],
    });
    expect(saved.status).toBe(303);
    expect(loadPage(site.db, slug)).toMatchObject({ name: 'Billing and invoices', hosts: ['invoices.example.com', host], defaultLocale: null, version: 2 });

    const stale = await admin.post('/admin/pages', { intent: 'edit', page: slug, version: '1', slug, name: 'Mine', hosts: host });
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain('data-conflict');
    expect(html).toMatch(/data-conflict-theirs="name">[\s\S]*?Billing and invoices/);
    expect(html).toContain('value="Mine"');
    // The form now carries the stored version: saving again is a choice.
    expect(html).toContain(`name="page" value="${slug}"> <input type="hidden" name="version" value="2">`);
    expect(loadPage(site.db, slug)!.name).toBe('Billing and invoices');

    const asked = await admin.post('/admin/pages', { intent: 'remove', page: slug, version: '2' });
    expect(asked.status).toBe(200);
    expect(visible(await asked.text())).toContain(
      `Remove the page “${slug}”? Its host names will reach the default page; its components stay, and its subscribers move to the default page, still following the same components.`,
    );
    expect(loadPage(site.db, slug)).toBeDefined();
    const removed = await admin.post('/admin/pages', { intent: 'remove', page: slug, version: '2', confirmed: 'yes' });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/admin/pages?done=pageRemoved');
    expect(loadPage(site.db, slug)).toBeUndefined();
    expect(auditOf(page.id).map((a) => `${a.action} by ${a.actor}`)).toEqual([
      `page.add by ${admin.email}`,
      `page.edit by ${admin.email}`,
      `page.remove by ${admin.email}`,
    ]);
  });

  it('keeps a page’s archived components when the form saves it', async () => {
    const admin = await signedInStaff(site);
    const { slug } = fresh('archived');
    // A component with history is archived, not deleted, and stays on the pages it was on.
    const { componentId: archived } = createComponent(site.db, { name: `Old search ${unique}` }, ctx());
    setComponentStatus(site.db, archived, { status: 'degraded_performance' }, ctx());
    addPage(site.db, { slug, name: 'Archive', componentIds: [archived, componentIds.API!] }, ctx());
    removeComponent(site.db, archived, ctx());
    const html = await (await admin.get('/admin/pages')).text();
    const form = html.slice(html.indexOf(`data-page="${slug}"`));
    expect(form).toContain(`<input type="hidden" name="componentIds" value="${archived}">`);
    expect(form).not.toContain(`<input type="checkbox" name="componentIds" value="${archived}"`);
    const saved = await admin.post('/admin/pages', { intent: 'edit', page: slug, slug, name: 'Archive', hosts: '', componentIds: [archived] });
    expect(saved.status).toBe(303);
    expect(loadPage(site.db, slug)!.componentIds).toEqual([archived]);
  });
});
