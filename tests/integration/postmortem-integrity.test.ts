import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';

let site: TestSite;
let outer: string;
let dir: string;
let victim: string;

beforeAll(async () => {
  outer = mkdtempSync(join(tmpdir(), 'shirase-pm-integrity-'));
  dir = join(outer, 'postmortems');
  mkdirSync(dir);
  victim = join(outer, 'victim.txt');
  writeFileSync(victim, 'VICTIM-CONTENT-7731');
  site = await startTestSite({ seed: true, env: { POSTMORTEMS_DIR: dir } });
});
afterAll(async () => {
  await site?.close();
  rmSync(outer, { recursive: true, force: true });
});

const draft = (slug: string, date: string, body = 'A draft.') => ({ title: `About ${slug}`, slug, date, summary: '', locale: 'en', body });
const versionIn = (page: string) => /name="version" value="([^"]*)"/.exec(page)?.[1] ?? '';
const count = (sql: string, ...args: unknown[]) => (site.db.$client.prepare(sql).get(...args) as { n: number }).n;

describe('postmortem file names from a form', () => {
  it('refuses ../ names, absolute paths and the database path, touching nothing outside the folder', async () => {
    const staff = await signedInStaff(site, 'editor');
    const tries = ['../victim.txt', victim, relative(dir, site.databasePath), '..', '/etc/passwd', 'sub/../../victim.txt'];
    for (const [i, originalFile] of tries.entries()) {
      const res = await staff.post('/admin/postmortems/edit', { ...draft(`escape-${i}`, '2026-02-01'), originalFile, action: 'save' });
      expect(res.status).toBe(422);
      const page = await res.text();
      expect(page).toContain('The postmortem file name was refused');
      expect(page).toContain('About escape-'); // what was typed stays in the form
      expect(existsSync(join(dir, `2026-02-01-escape-${i}.md`))).toBe(false);
    }
    expect(readFileSync(victim, 'utf8')).toBe('VICTIM-CONTENT-7731');
    expect(existsSync(site.databasePath)).toBe(true);
  });

  it('refuses a symlink in the folder that points out of it, for reading, writing and deleting', async () => {
    symlinkSync(victim, join(dir, '2026-02-02-linked.md'));
    const staff = await signedInStaff(site, 'editor');
    // Writing a postmortem whose name is the link would write through it.
    const write = await staff.post('/admin/postmortems/edit', { ...draft('linked', '2026-02-02', 'Overwrite?'), action: 'save' });
    expect(write.status).toBe(422);
    expect(await write.text()).toContain('it is a link to a file outside the folder');
    // Renaming away from it would delete it.
    const rename = await staff.post('/admin/postmortems/edit', { ...draft('moved', '2026-02-03'), originalFile: '2026-02-02-linked.md', action: 'save' });
    expect(rename.status).toBe(422);
    expect(readFileSync(victim, 'utf8')).toBe('VICTIM-CONTENT-7731');
    expect(existsSync(join(dir, '2026-02-03-moved.md'))).toBe(false);
    // The admin names the file as a problem and never shows what it points at.
    const list = await (await staff.get('/admin/postmortems')).text();
    expect(list).toContain('2026-02-02-linked.md');
    expect(list).toContain('it is a link to a file outside the folder');
    expect(list).not.toContain('VICTIM-CONTENT');
    expect((await fetch(`${site.url}/postmortems/linked`)).status).toBe(404);
  });

  it('still renames a postmortem within the folder when its slug changes', async () => {
    const staff = await signedInStaff(site, 'editor');
    expect((await staff.post('/admin/postmortems/edit', { ...draft('first-name', '2026-02-04'), action: 'save' })).status).toBe(303);
    const res = await staff.post('/admin/postmortems/edit', {
      ...draft('second-name', '2026-02-04'),
      originalFile: '2026-02-04-first-name.md',
      action: 'save',
    });
    expect(res.status).toBe(303);
    expect(existsSync(join(dir, '2026-02-04-first-name.md'))).toBe(false);
    expect(existsSync(join(dir, '2026-02-04-second-name.md'))).toBe(true);
  });
});

describe('publishing a postmortem', () => {
  it('is all or nothing: a failed database write leaves a draft and no audit row; the retry publishes and notifies once', async () => {
    const staff = await signedInStaff(site, 'editor');
    const fields = { ...draft('all-or-nothing', '2026-02-05'), incidents: 'jun18renewal', originalFile: '2026-02-05-all-or-nothing.md', notify: 'on' };
    expect((await staff.post('/admin/postmortems/edit', { ...draft('all-or-nothing', '2026-02-05'), action: 'save' })).status).toBe(303);
    const file = join(dir, '2026-02-05-all-or-nothing.md');
    const draftText = readFileSync(file, 'utf8');
    const audits = () => count("SELECT count(*) AS n FROM audit_log WHERE action = 'postmortem.publish' AND entity_id = 'all-or-nothing'");
    // Once per report: the report is known by the incidents it explains.
    const events = () => count("SELECT count(*) AS n FROM notification_events WHERE once_key = 'postmortem:jun18renewal'");

    site.db.$client.exec("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END");
    try {
      const failed = await staff.post('/admin/postmortems/edit', { ...fields, action: 'publish' });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      site.db.$client.exec('DROP TRIGGER fail_audit');
    }
    expect(readFileSync(file, 'utf8')).toBe(draftText);
    expect(audits()).toBe(0);
    expect(events()).toBe(0);
    expect((await fetch(`${site.url}/postmortems/all-or-nothing`)).status).toBe(404);

    const retried = await staff.post('/admin/postmortems/edit', { ...fields, action: 'publish' });
    expect(retried.status).toBe(303);
    expect(readFileSync(file, 'utf8')).toMatch(/published: "?\d{4}-/);
    expect(audits()).toBe(1);
    expect(events()).toBe(1);

    // Publishing again (or after unpublishing) never notifies twice.
    await staff.post('/admin/postmortems/edit', { ...fields, action: 'unpublish', confirmed: 'yes' });
    await staff.post('/admin/postmortems/edit', { ...fields, action: 'publish' });
    expect(events()).toBe(1);
  });

  it('puts the files back when the commit fails after they were replaced', async () => {
    const staff = await signedInStaff(site, 'editor');
    expect((await staff.post('/admin/postmortems/edit', { ...draft('before-rename', '2026-02-06', 'Kept.'), action: 'save' })).status).toBe(303);
    const before = readFileSync(join(dir, '2026-02-06-before-rename.md'), 'utf8');
    // A deferred foreign key is checked at COMMIT: every statement succeeds, the commit does not.
    site.db.$client.exec(`
      CREATE TABLE test_parent (id TEXT PRIMARY KEY);
      CREATE TABLE test_child (parent TEXT REFERENCES test_parent(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER fail_commit AFTER INSERT ON audit_log BEGIN INSERT INTO test_child VALUES ('missing'); END;`);
    try {
      const renamed = await staff.post('/admin/postmortems/edit', {
        ...draft('after-rename', '2026-02-06', 'Changed.'),
        originalFile: '2026-02-06-before-rename.md',
        action: 'save',
      });
      expect(renamed.status).toBeGreaterThanOrEqual(500);
      const edited = await staff.post('/admin/postmortems/edit', {
        ...draft('before-rename', '2026-02-06', 'Changed.'),
        originalFile: '2026-02-06-before-rename.md',
        action: 'publish',
      });
      expect(edited.status).toBeGreaterThanOrEqual(500);
    } finally {
      site.db.$client.exec('DROP TRIGGER fail_commit; DROP TABLE test_child; DROP TABLE test_parent;');
    }
    expect(readFileSync(join(dir, '2026-02-06-before-rename.md'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, '2026-02-06-after-rename.md'))).toBe(false);
    expect(count("SELECT count(*) AS n FROM notification_events WHERE once_key = 'postmortem:before-rename'")).toBe(0);
  });
});

describe('two editors saving the same postmortem', () => {
  it('refuses the second save with both texts shown, keeping what was typed and the first save on disk', async () => {
    const alice = await signedInStaff(site, 'editor');
    const bob = await signedInStaff(site, 'editor');
    expect((await alice.post('/admin/postmortems/edit', { ...draft('two-editors', '2026-02-07', 'The first draft.'), action: 'save' })).status).toBe(303);
    const name = '2026-02-07-two-editors.md';
    const version = versionIn(await (await alice.get(`/admin/postmortems/edit?file=${name}`)).text());
    expect(version).toMatch(/^[0-9a-f]{20}$/);
    expect(versionIn(await (await bob.get(`/admin/postmortems/edit?file=${name}`)).text())).toBe(version);

    const first = await alice.post(`/admin/postmortems/edit?file=${name}`, {
      ...draft('two-editors', '2026-02-07', 'Alice wrote the root cause.'),
      originalFile: name,
      version,
      action: 'save',
    });
    expect(first.status).toBe(303);
    const second = await bob.post(`/admin/postmortems/edit?file=${name}`, {
      ...draft('two-editors', '2026-02-07', 'Bob wrote the timeline.'),
      originalFile: name,
      version,
      action: 'save',
    });
    expect(second.status).toBe(409);
    const page = await second.text();
    expect(page).toContain('Someone else saved this first');
    expect(page).toContain('Alice wrote the root cause.');
    expect(page).toContain('Bob wrote the timeline.');
    expect(readFileSync(join(dir, name), 'utf8')).toContain('Alice wrote the root cause.');
    expect(readFileSync(join(dir, name), 'utf8')).not.toContain('Bob');

    // The form now carries the stored version: saving again is Bob's choice to replace it.
    const newer = versionIn(page);
    expect(newer).not.toBe(version);
    const again = await bob.post(`/admin/postmortems/edit?file=${name}`, {
      ...draft('two-editors', '2026-02-07', 'Bob wrote the timeline.'),
      originalFile: name,
      version: newer,
      action: 'save',
    });
    expect(again.status).toBe(303);
    expect(readFileSync(join(dir, name), 'utf8')).toContain('Bob wrote the timeline.');
  });
});
