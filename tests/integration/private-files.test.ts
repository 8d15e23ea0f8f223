import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { freshDatabase } from '../support/test-server';
import { openDatabase } from '../../db/open';
import { parseConfig } from '../../src/lib/config';
import { runScheduledBackup } from '../../src/lib/site/scheduled-backups';
import { createCourier } from '../../src/lib/notifications/courier';
import { savePostmortem } from '../../src/lib/postmortems/save-postmortem';
import { makePrivateFolder } from '../../src/lib/private-files';
import { programArgs } from '../support/programs';

const { db, dir, databasePath } = freshDatabase({ seed: true });
const postmortemsDir = join(dir, 'postmortems');
mkdirSync(postmortemsDir);
writeFileSync(join(postmortemsDir, 'kept.md'), '---\ntitle: Kept\n---\nKept.');
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { ...process.env, DATABASE_PATH: databasePath, POSTMORTEMS_DIR: postmortemsDir };
/** A CLI run under a shell that first sets `umask` and `ulimit -f` (in KiB), as an operator's shell might. */
function cli(script: string, args: string[], extra: Record<string, string> = {}, shell = 'umask 000') {
  return spawnSync('bash', ['-c', `${shell} && exec "$0" "$@"`, process.execPath, ...programArgs(`src/cli/${script}.ts`), ...args], {
    env: { ...env, ...extra },
    encoding: 'utf8',
    timeout: 60_000,
  });
}
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every file under the data folder with its size, to show a refused restore wrote nothing. */
function listing(): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && !entry.name.endsWith('-shm')) files[join(entry.parentPath, entry.name)] = statSync(join(entry.parentPath, entry.name)).size;
  }
  return files;
}

describe('files that hold secrets are the owner’s only', () => {
  it('creates the database, its WAL and shared memory 0600 and its folder 0700, even under umask 000', () => {
    const fresh = join(dir, 'fresh', 'nested', 'shirase.db');
    const out = spawnSync(
      'bash',
      [
        '-c',
        'umask 000 && exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        '-e',
        `
      import { statSync } from 'node:fs';
      import { openDatabase, migrateDatabase } from './db/open.ts';
      const db = openDatabase(${JSON.stringify(fresh)});
      migrateDatabase(db);
      console.log(JSON.stringify([${JSON.stringify(fresh)}, ${JSON.stringify(`${fresh}-wal`)}, ${JSON.stringify(`${fresh}-shm`)}].map((p) => statSync(p).mode & 0o777)));
    `,
      ],
      { encoding: 'utf8' },
    );
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([0o600, 0o600, 0o600]);
    expect(modeOf(join(dir, 'fresh', 'nested'))).toBe(0o700);
  });

  it('tightens a database an older version left readable to others, and says so in the log', () => {
    const old = join(dir, 'old.db');
    new Database(old).close();
    chmodSync(old, 0o644);
    const lines: string[] = [];
    const opened = openDatabase(old, { log: (line) => lines.push(line) });
    opened.$client.prepare('create table t (x)').run();
    expect(modeOf(old)).toBe(0o600);
    expect(modeOf(`${old}-wal`)).toBe(0o600);
    expect(lines.join('\n')).toMatch(/old\.db could be read by other users; now 0600/);
    opened.$client.close();
  });

  it('writes backups 0600 into a folder made 0700, and the backup status file 0600', async () => {
    const target = join(dir, 'manual', 'backup.tar');
    const out = cli('backup', [target]);
    expect(out.status, out.stderr).toBe(0);
    expect(modeOf(target)).toBe(0o600);
    expect(modeOf(join(dir, 'manual'))).toBe(0o700);

    const backupDir = join(dir, 'scheduled');
    const config = parseConfig({ DATABASE_PATH: databasePath, POSTMORTEMS_DIR: postmortemsDir, BACKUP_DIR: backupDir, BACKUP_EVERY: '1h' });
    const status = await runScheduledBackup(db, config, { now: () => Date.now() });
    expect(status.lastRun?.ok).toBe(true);
    expect(modeOf(backupDir)).toBe(0o700);
    expect(modeOf(join(backupDir, status.latest!.file))).toBe(0o600);
    expect(modeOf(join(backupDir, 'status.json'))).toBe(0o600);
  });

  it('writes postmortem files 0600, an unpublished draft included', () => {
    const folder = join(dir, 'private-postmortems');
    makePrivateFolder(folder);
    savePostmortem(
      db,
      folder,
      {
        title: 'Not yet public',
        slug: 'not-yet-public',
        date: '2026-06-18',
        incidents: [],
        summary: 'Draft.',
        locale: 'en',
        body: 'Still being written.',
        action: 'save',
      },
      { now: Date.now() },
    );
    expect(modeOf(folder)).toBe(0o700);
    expect(readdirSync(folder).map((f) => modeOf(join(folder, f)))).toEqual([0o600]);
  });

  it('writes mail files (confirmation links, readers’ addresses) 0600 into a folder made 0700', async () => {
    const mailDir = join(dir, 'data', 'mail');
    const courier = createCourier(parseConfig({ MAIL_DIR: mailDir }));
    const sent = await courier.sendEmail({
      to: 'reader@example.com',
      subject: 'Confirm',
      text: 'https://status.example.com/subscribe/confirm?t=secret',
      html: '<p>Confirm</p>',
      messageId: '<probe@example.com>',
      headers: {},
    });
    courier.close();
    expect(sent.ok).toBe(true);
    const [file] = readdirSync(mailDir);
    expect(modeOf(join(mailDir, file!))).toBe(0o600);
    expect(modeOf(mailDir)).toBe(0o700);
  });
});

describe('backups encrypted to an age recipient', () => {
  const keyFile = join(dir, 'age-key.txt');
  const encrypted = join(dir, 'encrypted.tar.age');

  it('are read back by Debian’s age with the identity', () => {
    expect(spawnSync('age-keygen', ['-o', keyFile]).status).toBe(0);
    const recipient = spawnSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).stdout.trim();
    const out = cli('backup', [encrypted], { BACKUP_AGE_RECIPIENT: recipient });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/encrypted with age/);
    expect(readFileSync(encrypted).subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect(modeOf(encrypted)).toBe(0o600);

    const plain = join(dir, 'decrypted.tar');
    const age = spawnSync('age', ['-d', '-i', keyFile, '-o', plain, encrypted], { encoding: 'utf8' });
    expect(age.status, age.stderr).toBe(0);
    const names: string[] = [];
    tar.t({ file: plain, sync: true, onReadEntry: (e) => names.push(e.path) });
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'database/shirase.db', 'postmortems/kept.md']));
  });

  it('are refused by restore without the identity, saying how to give it, and changing nothing', () => {
    const before = listing();
    const out = cli('restore', [encrypted, '--yes']);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/is encrypted with age\. Give the identity that opens it: .*--identity .*BACKUP_AGE_IDENTITY/);
    expect(listing()).toEqual(before);
  });

  it('are restored with --identity, or with BACKUP_AGE_IDENTITY', () => {
    db.$client.prepare('create table written_after_backup (x)').run();
    const out = cli('restore', [encrypted, '--yes', '--identity', keyFile]);
    expect(out.status, out.stderr).toBe(0);
    const restored = new Database(databasePath, { readonly: true });
    expect(restored.prepare("select count(*) as n from sqlite_master where name = 'written_after_backup'").get()).toEqual({ n: 0 });
    restored.close();
    expect(modeOf(databasePath)).toBe(0o600);

    const byEnv = cli('restore', [encrypted, '--yes'], { BACKUP_AGE_IDENTITY: keyFile });
    expect(byEnv.status, byEnv.stderr).toBe(0);
  });

  it('refuses an identity the backup was not encrypted to', () => {
    const other = join(dir, 'other-key.txt');
    spawnSync('age-keygen', ['-o', other]);
    const out = cli('restore', [encrypted, '--yes', '--identity', other]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/could not be decrypted with the identity given/);
  });

  it('refuses a recipient that is not an age public key at start', () => {
    expect(() => parseConfig({ BACKUP_AGE_RECIPIENT: 'age1notakey' })).toThrow(/BACKUP_AGE_RECIPIENT: must be an age public key/);
  });
});

/** One tar entry: a header block and the contents padded to whole blocks. */
function tarEntry(path: string, body: Buffer): Buffer {
  const header = new tar.Header({ path, mode: 0o644, size: body.length, type: 'File', mtime: new Date(0) });
  header.encode();
  return Buffer.concat([header.block!, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}
const END = Buffer.alloc(1024);
const MB = 1024 * 1024;
/**
 * 64 MB that compress about 300 to 1 (the bomb reported: 602 KB to 260 MB), under
 * the 1000 to 1 that tar itself stops at: 160 KB of noise, then zeros.
 */
function bombBody(): Buffer {
  const body = Buffer.alloc(64 * MB);
  randomBytes(160 * 1024).copy(body);
  return body;
}

function manifestFor(files: { path: string; size: number; sha256?: string }[]): Buffer {
  const listed = files.map((f) => ({ sha256: createHash('sha256').update('x').digest('hex'), ...f }));
  return Buffer.from(JSON.stringify({ format: 'shirase-backup', version: 1, createdAt: new Date().toISOString(), files: listed }));
}

describe('a restore checks sizes while reading, before writing', () => {
  // The restore runs with a file size limit of 8 MB: a restore that writes what a bomb holds is stopped by it.
  const limited = 'umask 077 && ulimit -f 8192';
  const bombs: [string, () => Buffer, RegExp][] = [
    [
      // The manifest lists a small database; the entry's header says 64 MB.
      'entry-larger-than-manifest.tar.gz',
      () =>
        Buffer.concat([
          tarEntry('manifest.json', manifestFor([{ path: 'database/shirase.db', size: 4096 }])),
          tarEntry('database/shirase.db', bombBody()),
          END,
        ]),
      /database\/shirase\.db in .* is 67108864 bytes where its manifest says 4096/,
    ],
    ['no-manifest-first.tar.gz', () => Buffer.concat([tarEntry('database/shirase.db', bombBody()), END]), /does not begin with its manifest/],
    [
      // Sizes that agree, but more than a restore takes (RESTORE_MAX_MB=16 below).
      'over-the-ceiling.tar.gz',
      () =>
        Buffer.concat([
          tarEntry('manifest.json', manifestFor([{ path: 'database/shirase.db', size: 64 * MB }])),
          tarEntry('database/shirase.db', bombBody()),
          END,
        ]),
      /would unpack to 64\.0 MB, more than the 16\.0 MB a restore takes \(RESTORE_MAX_MB\); nothing was written/,
    ],
    [
      // A manifest and the end of the archive, then 64 MB more inflated after it.
      'trailing-inflation.tar.gz',
      () => Buffer.concat([tarEntry('manifest.json', manifestFor([{ path: 'database/shirase.db', size: 4096 }])), END, bombBody()]),
      /unpacks to more than .* MB, more than the files its manifest lists can take up: .*decompression bomb/,
    ],
    [
      // An honest manifest for a 12 MB "database" of zeros (past the 8 MB the restore may write): refused on its first bytes.
      'zeros-for-a-database.tar.gz',
      () => {
        const zeros = Buffer.alloc(12 * MB);
        return Buffer.concat([
          tarEntry(
            'manifest.json',
            manifestFor([{ path: 'database/shirase.db', size: zeros.length, sha256: createHash('sha256').update(zeros).digest('hex') }]),
          ),
          tarEntry('database/shirase.db', zeros),
          END,
        ]);
      },
      /The database in .* is not an SQLite file/,
    ],
    [
      // Thousands of "postmortems" of a megabyte and more: no postmortem is that large.
      'oversized-postmortems.tar.gz',
      () =>
        Buffer.concat([
          tarEntry(
            'manifest.json',
            manifestFor([
              { path: 'database/shirase.db', size: 4096 },
              ...Array.from({ length: 3000 }, (_, i) => ({ path: `postmortems/p${i}.md`, size: 3 * MB })),
            ]),
          ),
          END,
        ]),
      /lists postmortems\/p0\.md at 3\.0 MB, more than any postmortem can be/,
    ],
  ];

  it.each(bombs)('refuses %s with the reason and leaves nothing new on disk', (name, archive, reason) => {
    const bomb = join(dir, name);
    writeFileSync(bomb, gzipSync(archive()));
    expect(statSync(bomb).size).toBeLessThan(300 * 1024);
    const before = listing();
    const out = cli('restore', [bomb, '--yes'], { RESTORE_MAX_MB: '16' }, limited);
    expect(out.signal).toBeNull();
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(reason);
    // One line an operator can read, no stack trace.
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(listing()).toEqual(before);
    expect(existsSync(join(dir, `shirase.db.restore-${out.pid}.d`))).toBe(false);
  });
});
