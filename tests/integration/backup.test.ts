import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { freshDatabase, freePort, startTestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { until } from '../support/until';
import { savePostmortem } from '../../src/lib/postmortems/save-postmortem';
import { loadPostmortems } from '../../src/lib/postmortems/load-postmortems';
import { parseConfig } from '../../src/lib/config';
import { readBackupStatus, runScheduledBackup } from '../../src/lib/site/scheduled-backups';
import { programArgs } from '../support/programs';

const { db, dir, databasePath } = freshDatabase({ seed: true });
const postmortemsDir = join(dir, 'postmortems');
cpSync('content/postmortems', postmortemsDir, { recursive: true });
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { ...process.env, DATABASE_PATH: databasePath, POSTMORTEMS_DIR: postmortemsDir };
const cli = (script: string, args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...programArgs(`src/cli/${script}.ts`), ...args], { env: { ...env, ...extra }, encoding: 'utf8' });

function postmortem(slug: string, body = `What happened to ${slug}.`) {
  return { title: `Postmortem ${slug}`, slug, date: '2026-06-18', incidents: [], summary: 'Summary.', locale: 'en', body, action: 'save' as const };
}

/** Every file in a folder with its SHA-256, to show a refused restore changed nothing. */
function fingerprint(): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const f of [databasePath, ...readdirSync(postmortemsDir).map((n) => join(postmortemsDir, n))])
    sums[f] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return sums;
}

describe('one backup holds the database and every postmortem', () => {
  const backup = join(dir, 'backup.tar');
  let ackedBeforeBackup: string[] = [];

  it('is taken while another process writes and a postmortem is saved, and holds every write acknowledged before it began', async () => {
    savePostmortem(db, postmortemsDir, postmortem('saved-before'), { now: Date.now() });
    // A writer process opening incidents as fast as it can, saying the name of each once it is committed.
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
        import { openDatabase } from './db/open.ts';
        import { openIncident } from './src/lib/incidents/open-incident.ts';
        const db = openDatabase(process.env.DATABASE_PATH);
        const end = Date.now() + 3000;
        let n = 0;
        while (Date.now() < end) { const name = 'Write ' + (n++); openIncident(db, { name, status: 'investigating', body: 'x' }, { now: Date.now() }); process.stdout.write(name + '\\n'); }
      `,
      ],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(writer);
    const writerDone = new Promise((r) => writer.once('exit', r));
    let acked = '';
    writer.stdout!.on('data', (c: Buffer) => (acked += c.toString()));
    await until(() => acked.split('\n').length > 20);
    ackedBeforeBackup = acked.split('\n').filter(Boolean);
    const running = spawn(process.execPath, [...programArgs('src/cli/backup.ts'), backup], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const backupDone = new Promise((r) => running.once('exit', r));
    // A postmortem saved while the backup starts (it waits for the writer's lock): in the backup or not, but never half.
    savePostmortem(db, postmortemsDir, postmortem('saved-during', 'x'.repeat(20_000)), { now: Date.now() });
    let out = '';
    running.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await backupDone;
    expect(code).toBe(0);
    expect(out).toContain('every part checked');
    await writerDone;

    const listed: string[] = [];
    await tar.t({ file: backup, onReadEntry: (e) => listed.push(e.path) });
    expect(listed).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'database/shirase.db',
        'postmortems/2018-06-22-renewal-outage.md',
        'postmortems/2018-06-22-renewal-outage-ja.md',
        'postmortems/2026-06-18-saved-before.md',
      ]),
    );
  }, 60_000);

  it('restores both, keeping what it replaced beside, and every acknowledged write and saved postmortem is back', () => {
    db.$client.close();
    const first = cli('restore', [backup]);
    // When the backup missed the postmortem saved during it, restoring would remove it: it says so and waits for a yes.
    if (first.status === 3) expect(first.stdout).toContain('2026-06-18-saved-during.md');
    const out = first.status === 3 ? cli('restore', [backup, '--yes']) : first;
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain("every checksum and the database's integrity checked");
    const restored = new Database(databasePath, { readonly: true });
    const names = new Set(restored.prepare('select name from incidents').pluck().all() as string[]);
    restored.close();
    for (const name of ackedBeforeBackup) expect(names.has(name), name).toBe(true);
    const library = loadPostmortems(postmortemsDir);
    expect(library.problems).toEqual([]);
    expect(library.bySlug.has('saved-before')).toBe(true);
    const during = library.bySlug.get('saved-during');
    if (during) expect(during.body.trim()).toBe('x'.repeat(20_000));
    expect(library.bySlug.has('renewal-outage')).toBe(true);
    const beside = readdirSync(dir).filter((n) => n.includes('.before-restore-'));
    expect(beside.some((n) => n.startsWith('shirase.db.before-restore-'))).toBe(true);
    expect(beside.some((n) => n.startsWith('postmortems.before-restore-'))).toBe(true);
  });

  it('says what restoring an older backup removes from a newer postmortem folder, and changes nothing without a yes', () => {
    writeFileSync(
      join(postmortemsDir, '2026-07-01-written-since.md'),
      readFileSync(join(postmortemsDir, '2026-06-18-saved-before.md'), 'utf8')
        .replace(/saved-before/g, 'written-since')
        .replace('2026-06-18', '2026-07-01'),
    );
    const before = fingerprint();
    const asked = cli('restore', [backup]);
    expect(asked.status).toBe(3);
    expect(asked.stdout).toContain('Restoring removes 1 postmortem file(s) written since: 2026-07-01-written-since.md');
    expect(asked.stdout).toContain('Nothing was changed');
    expect(fingerprint()).toEqual(before);
    const done = cli('restore', [backup, '--yes']);
    expect(done.status, done.stderr).toBe(0);
    expect(existsSync(join(postmortemsDir, '2026-07-01-written-since.md'))).toBe(false);
    // Kept beside, not lost.
    const kept = readdirSync(dir)
      .filter((n) => n.startsWith('postmortems.before-restore-'))
      .map((n) => readdirSync(join(dir, n)));
    expect(kept.some((files) => files.includes('2026-07-01-written-since.md'))).toBe(true);
  });

  it('refuses a damaged or foreign backup with the reason, changing nothing', async () => {
    const before = fingerprint();
    const damaged = join(dir, 'damaged.tar');
    const bytes = readFileSync(backup);
    // A byte inside the database's contents, past the archive's headers.
    const at = bytes.indexOf(Buffer.from('SQLite format 3')) + 4096;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(damaged, bytes);
    const truncated = join(dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(backup).subarray(0, 10_000));
    // An archive that tries to write outside the folder it is unpacked into.
    const hostileDir = join(dir, 'hostile');
    mkdirSync(join(hostileDir, 'postmortems'), { recursive: true });
    writeFileSync(join(hostileDir, 'evil.md'), 'x');
    const hostile = join(dir, 'hostile.tar');
    await tar.c({ file: hostile, cwd: hostileDir, preservePaths: true }, ['evil.md']);
    // Rewrite the entry's name to climb out; tar's header checksum is recomputed below.
    const raw = readFileSync(hostile);
    raw.write('../../evil.md\0', 0, 'latin1');
    raw.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += raw[i]!;
    raw.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    writeFileSync(hostile, raw);

    for (const [file, reason] of [
      [damaged, /does not match its checksum|fails SQLite's integrity check/],
      [truncated, /not a readable backup|no readable manifest|missing/],
      [hostile, /entries a Shirase backup never has|no readable manifest|not a readable backup/],
      [join(dir, 'absent.tar'), /There is no backup at/],
    ] as const) {
      const out = cli('restore', [file, '--yes']);
      expect(out.status, file).toBe(1);
      expect(out.stderr, file).toMatch(reason);
      expect(fingerprint(), file).toEqual(before);
    }
    expect(existsSync(join(dir, '..', 'evil.md'))).toBe(false);
    expect(existsSync(join(dir, 'evil.md'))).toBe(false);
  });
});

describe('scheduled backups', () => {
  it('are taken into BACKUP_DIR and rotated to the last BACKUP_KEEP', async () => {
    const backups = join(dir, 'scheduled');
    const config = parseConfig({ DATABASE_PATH: databasePath, POSTMORTEMS_DIR: postmortemsDir, BACKUP_DIR: backups, BACKUP_EVERY: '6h', BACKUP_KEEP: '2' });
    const live = freshDatabase({ seed: true });
    let clock = Date.UTC(2026, 5, 18, 0, 0, 0);
    for (let i = 0; i < 3; i++) {
      await runScheduledBackup(live.db, config, { now: () => clock });
      clock += 6 * 3_600_000;
    }
    live.db.$client.close();
    rmSync(live.dir, { recursive: true, force: true });
    expect(
      readdirSync(backups)
        .filter((f) => f.endsWith('.tar'))
        .sort(),
    ).toEqual(['shirase-backup-2026-06-18T06-00-00Z.tar', 'shirase-backup-2026-06-18T12-00-00Z.tar']);
    const status = readBackupStatus(backups);
    expect(status.lastRun).toMatchObject({ ok: true });
    expect(status.latest!.file).toBe('shirase-backup-2026-06-18T12-00-00Z.tar');
  });

  it('are copied with rclone to a WebDAV remote, and a failing remote is retried, then shown to admins', async () => {
    const served = join(dir, 'webdav');
    mkdirSync(served, { recursive: true });
    const port = await freePort();
    const webdav = spawn('rclone', ['serve', 'webdav', served, '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
    children.push(webdav);
    await until(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/`)).status < 500;
      } catch {
        return false;
      }
    });
    const backups = join(dir, 'offsite');
    const remote = `:webdav,url='http://127.0.0.1:${port}':nightly`;
    const live = freshDatabase({ seed: true });
    const ok = await runScheduledBackup(
      live.db,
      parseConfig({ DATABASE_PATH: live.databasePath, POSTMORTEMS_DIR: postmortemsDir, BACKUP_DIR: backups, BACKUP_EVERY: '6h', BACKUP_RCLONE_REMOTE: remote }),
      { now: () => Date.UTC(2026, 5, 18, 0) },
    );
    expect(ok.remote).toMatchObject({ ok: true, attempts: 1 });
    expect(readdirSync(join(served, 'nightly'))).toEqual(['shirase-backup-2026-06-18T00-00-00Z.tar']);
    expect(readFileSync(join(served, 'nightly', 'shirase-backup-2026-06-18T00-00-00Z.tar'))).toEqual(
      readFileSync(join(backups, 'shirase-backup-2026-06-18T00-00-00Z.tar')),
    );

    // The same remote, stopped: every attempt fails, and the status says so.
    webdav.kill();
    await new Promise((r) => webdav.once('exit', r));
    const failed = await runScheduledBackup(
      live.db,
      parseConfig({ DATABASE_PATH: live.databasePath, POSTMORTEMS_DIR: postmortemsDir, BACKUP_DIR: backups, BACKUP_EVERY: '6h', BACKUP_RCLONE_REMOTE: remote }),
      { now: () => Date.UTC(2026, 5, 18, 6), remoteAttempts: 3, remoteRetryMs: 20 },
    );
    live.db.$client.close();
    rmSync(live.dir, { recursive: true, force: true });
    expect(failed.remote).toMatchObject({ ok: false, attempts: 3 });
    expect(failed.remote!.error).toMatch(/connect|refused/i);
    expect(failed.lastRun).toMatchObject({ ok: true });

    // A server using that folder shows the latest backup and the failure, on Settings and on every admin page.
    const site = await startTestSite({ seed: true, env: { BACKUP_DIR: backups, BACKUP_EVERY: '1d', BACKUP_RCLONE_REMOTE: remote } });
    try {
      const admin = await signedInStaff(site, 'admin');
      const settings = await (await admin.get('/admin/settings')).text();
      expect(settings).toContain('Latest backup:');
      expect(settings).toContain('shirase-backup-2026-06-18T06-00-00Z.tar');
      expect(settings).toContain('failed after 3 attempts');
      expect(await (await admin.get('/admin')).text()).toContain('The last scheduled backup did not complete.');
      expect(await (await admin.get('/ja/admin')).text()).toContain('直近の定期バックアップが完了していません。');
      const editor = await signedInStaff(site, 'editor');
      expect(await (await editor.get('/admin')).text()).not.toContain('data-backup-warning');
    } finally {
      await site.close();
    }
  });

  it('are taken by the server itself when BACKUP_EVERY is due', async () => {
    const backups = join(dir, 'by-server');
    const site = await startTestSite({ seed: true, env: { BACKUP_DIR: backups, BACKUP_EVERY: '1d', POSTMORTEMS_DIR: postmortemsDir } });
    try {
      // No backup in the folder yet: the first is due at once.
      const status = await until(() => readBackupStatus(backups).latest);
      expect(status.bytes).toBeGreaterThan(10_000);
      const listed: string[] = [];
      await tar.t({ file: join(backups, status.file), onReadEntry: (e) => listed.push(e.path) });
      expect(listed).toContain('postmortems/2018-06-22-renewal-outage.md');
    } finally {
      await site.close();
    }
  });

  it('refuses half a schedule in the configuration', () => {
    expect(() => parseConfig({ BACKUP_DIR: '/tmp/x' })).toThrow(/scheduled backups need both/);
    expect(() => parseConfig({ BACKUP_DIR: '/tmp/x', BACKUP_EVERY: 'often' })).toThrow(/such as 6h/);
  });
});

// The bare database copies taken before backups held postmortems still restore.
describe('older backups', () => {
  it('restores a bare database copy', () => {
    const copy = join(dir, 'bare.db');
    cpSync(databasePath, copy);
    const out = cli('restore', [copy]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('holds no postmortems');
  });
});
