// Status pages (groundwork): the model, the migration of an existing install
// into its default page, the verbs, and the admin command.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '../../db/open';
import { createComponent } from '../../src/lib/components/create-component';
import { addPage } from '../../src/lib/pages/add-page';
import { removePage } from '../../src/lib/pages/remove-page';
import { listPages, loadPage, pageIdForHost } from '../../src/lib/pages/load-pages';
import { hostOf } from '../../src/lib/pages/page-input';
import { ShiraseError } from '../../src/lib/errors';
import { freshDatabase } from '../support/test-server';
import { programArgs } from '../support/programs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const ctx = { now: Date.now() };

describe('an existing install', () => {
  it('becomes one default page holding every component it had, archived ones included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-pages-'));
    dirs.push(dir);
    // The migrations up to the one before pages, as an install of the last release has them.
    const folder = join(dir, 'migrations');
    cpSync('db/migrations', folder, { recursive: true });
    const journalPath = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const all = structuredClone(journal);
    const pagesAt = journal.entries.findIndex((e) => e.tag.endsWith('_add_status_pages'));
    journal.entries = journal.entries.slice(0, pagesAt);
    writeFileSync(journalPath, JSON.stringify(journal));
    const db = openDatabase(join(dir, 'shirase.db'));
    migrateDatabase(db, folder);
    // Components as the last release stored them, one archived with its history.
    const insert = db.$client.prepare('INSERT INTO components (id, name, position, created_at, updated_at, archived_at) VALUES (?, ?, ?, ?, ?, ?)');
    ['Web app', 'API', 'iOS app', 'Old search'].forEach((name, i) =>
      insert.run(`component${String(i).padStart(3, '0')}`, name, i + 1, 1, 1, i === 3 ? 2 : null),
    );
    const components = db.$client.prepare('SELECT id FROM components ORDER BY id').pluck().all() as string[];
    expect(components).toHaveLength(4);
    // Readers as the last release kept them: an address, a browser, a reader's chat channel and a staff webhook.
    db.$client
      .prepare(
        "INSERT INTO subscribers (id, email, locale, status, created_at, updated_at) VALUES ('subscriber01', 'reader@example.com', 'en', 'confirmed', 1, 1)",
      )
      .run();
    db.$client
      .prepare(
        "INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, locale, created_at) VALUES ('browser00001', 'https://push.example.net/1', 'k', 'a', 'en', 1)",
      )
      .run();
    const hook = db.$client.prepare("INSERT INTO webhooks (id, url, secret, created_at, kind, added_by) VALUES (?, ?, 'whsec_x', 1, ?, ?)");
    hook.run('readerchat01', 'https://hooks.slack.com/services/reader', 'slack', 'reader');
    hook.run('staffhook001', 'https://hooks.example.net/staff', 'webhook', 'staff');

    writeFileSync(journalPath, JSON.stringify(all));
    migrateDatabase(db, folder);
    const [only, ...others] = listPages(db);
    expect(others).toEqual([]);
    expect(only).toMatchObject({ slug: 'default', name: null, isDefault: true, private: false, hosts: [] });
    expect(only!.id).toMatch(/^[0-9a-z]{12}$/);
    expect([...only!.componentIds].sort()).toEqual(components);
    // Every host reaches it.
    expect(pageIdForHost(db, 'status.example.com')).toBe(only!.id);
    // Its readers subscribed on it; the staff webhook goes on hearing about every page.
    const pageOf = (table: string) => db.$client.prepare(`SELECT id, page_id FROM ${table} ORDER BY id`).raw().all();
    expect(pageOf('subscribers')).toEqual([['subscriber01', only!.id]]);
    expect(pageOf('push_subscriptions')).toEqual([['browser00001', only!.id]]);
    expect(pageOf('webhooks')).toEqual([
      ['readerchat01', only!.id],
      ['staffhook001', null],
    ]);
    db.$client.close();
  });
});

describe('pages', () => {
  it('are added with their hosts and components, found by host, and removed without touching components', () => {
    const { db, dir } = freshDatabase({ seed: true });
    dirs.push(dir);
    const api = db.$client.prepare("SELECT id FROM components WHERE name = 'API'").pluck().get() as string;
    const { pageId } = addPage(
      db,
      { slug: ' Mobile ', name: 'Mobile app', hosts: ['Status.Mobile.Example.com.', 'mobile.example.net'], componentIds: [api, api] },
      ctx,
    );
    expect(loadPage(db, 'mobile')).toMatchObject({ name: 'Mobile app', hosts: ['mobile.example.net', 'status.mobile.example.com'], componentIds: [api] });
    expect(pageIdForHost(db, hostOf('STATUS.mobile.example.com:8443'))).toBe(pageId);
    expect(pageIdForHost(db, hostOf('elsewhere.example.com'))).toBe(listPages(db)[0]!.id);
    // A new component is shown on the default page.
    const { componentId } = createComponent(db, { name: 'Search' }, ctx);
    expect(listPages(db)[0]!.componentIds).toContain(componentId);
    expect(loadPage(db, 'mobile')!.componentIds).not.toContain(componentId);
    const audit = db.$client.prepare("SELECT action FROM audit_log WHERE entity_type = 'status_page' ORDER BY id").pluck().all();
    expect(audit).toEqual(['page.add']);

    removePage(db, 'mobile', ctx);
    expect(loadPage(db, 'mobile')).toBeUndefined();
    expect(pageIdForHost(db, 'status.mobile.example.com')).toBe(listPages(db)[0]!.id);
    expect(db.$client.prepare('SELECT count(*) FROM components WHERE id = ?').pluck().get(api)).toBe(1);
    db.$client.close();
  });

  it('refuse what cannot be, saying which field to fix, and write nothing', () => {
    const { db, dir } = freshDatabase({ seed: true });
    dirs.push(dir);
    addPage(db, { slug: 'mobile', name: 'Mobile app', hosts: ['status.mobile.example.com'] }, ctx);
    const refusal = (input: Parameters<typeof addPage>[1]) => {
      try {
        addPage(db, input, ctx);
      } catch (error) {
        if (error instanceof ShiraseError) return error.fields.map((f) => `${f.field}: ${f.key}`);
        throw error;
      }
      throw new Error('accepted');
    };
    expect(refusal({ slug: 'mobile', name: 'Again', hosts: ['STATUS.mobile.example.com'] })).toEqual([
      'slug: errors.field.pageSlugTaken',
      'hosts: errors.field.pageHostTaken',
    ]);
    for (const slug of ['-lead', 'trail-', 'double--hyphen', 'under_score', 'a'.repeat(41), '../etc', ''])
      expect(refusal({ slug, name: 'x' }), slug).toEqual(['slug: errors.field.pageSlug']);
    for (const host of [
      'https://status.example.com',
      'status.example.com:8443',
      'status.example.com/path',
      'a b.example',
      '-x.example.com',
      '',
      'x'.repeat(64) + '.com',
    ])
      expect(refusal({ slug: 'ok', name: 'x', hosts: [host] }), host).toEqual(['hosts.0: errors.field.pageHost']);
    expect(refusal({ slug: 'ok', name: 'x', componentIds: ['nosuchcompon'] })).toEqual(['componentIds: errors.field.pickComponent']);
    expect(listPages(db).map((p) => p.slug)).toEqual(['default', 'mobile']);
    expect(() => removePage(db, 'default', ctx)).toThrow(expect.objectContaining({ key: 'errors.page.defaultStays' }));
    db.$client.close();
  });
});

describe('npm run admin -- page', () => {
  it('adds, lists and removes pages, and says plainly what it refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-pages-cli-'));
    dirs.push(dir);
    const databasePath = join(dir, 'shirase.db');
    const db = openDatabase(databasePath);
    migrateDatabase(db);
    db.$client.close();
    const admin = (...args: string[]) =>
      spawnSync(process.execPath, [...programArgs('src/cli/admin.ts'), 'page', ...args], {
        env: { ...process.env, DATABASE_PATH: databasePath },
        encoding: 'utf8',
      });
    // A viewer that is neither an address nor a domain is refused by its line, and nothing is added.
    const secret = admin('add', 'partners', '--name', 'Partner API', '--host', 'status.partners.example.com', '--private', '--viewer', 'not a domain');
    expect(secret.status).toBe(1);
    expect(secret.stderr).toContain('Line 1: “not a domain” is neither an email address nor a domain such as @example.com.');
    const added = admin('add', 'partners', '--name', 'Partner API', '--host', 'status.partners.example.com');
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added the public page partners: status.partners.example.com, 0 component(s).');
    expect(admin('list').stdout.trim().split('\n')).toEqual([
      'default\t(the site’s name)\tdefault\tpublic\t0 component(s)',
      'partners\tPartner API\tstatus.partners.example.com\tpublic\t0 component(s)',
    ]);
    const refused = admin('add', 'partners', '--name', 'Again');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Another page is already called “partners”');
    const kept = admin('remove', 'default');
    expect(kept.status).toBe(1);
    expect(kept.stderr).toContain('The default page cannot be removed');
    expect(admin('remove', 'partners').stdout).toContain('Removed the page partners; its hosts now reach the default page.');
  });
});
