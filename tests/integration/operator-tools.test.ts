// The command-line tools as an operator meets them: pointed at the wrong
// place, at a database from another version or application, or run while the
// server is up. Each refuses with a message that says what to do, and leaves
// every file as it was.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateDatabase, openDatabase } from '../../db/open';
import { readDotEnv } from '../../src/lib/config';
import { startServerProcess } from '../support/server-process';
import { programArgs } from '../support/programs';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-operator-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const root = process.cwd();
/** Runs `src/cli/<name>.ts` as `npm run <name>` would, from `cwd` (where its .env is), with only these settings. */
function command(name: string, args: string[], env: Record<string, string>, cwd = root) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_PATH|POSTMORTEMS_DIR|MAIL_DIR|BACKUP_\w+)$/.test(k)));
  return spawnSync(process.execPath, [...programArgs(`src/cli/${name}.ts`), ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function migratedDatabase(dir: string): string {
  const path = join(dir, 'shirase.db');
  const db = openDatabase(path);
  migrateDatabase(db);
  db.$client.close();
  return path;
}

describe('commands without a database', () => {
  it.each([
    ['admin', ['user', 'list']],
    ['backup', ['backup.tar.gz']],
    ['worker', []],
    ['export', ['exported']],
  ])('npm run %s refuses a path with no database, exits non-zero and creates nothing', (name, args) => {
    const dir = tempDir();
    const databasePath = join(dir, 'nested', 'shirase.db');
    const run = command(name, args, { DATABASE_PATH: databasePath }, dir);
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain(`No database at ${databasePath}; nothing was created. Set DATABASE_PATH`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('.env', () => {
  it('is read from the project folder by every command, the environment winning', () => {
    const dir = tempDir();
    const databasePath = migratedDatabase(dir);
    writeFileSync(join(dir, '.env'), `# settings\nDATABASE_PATH=${databasePath}\nTIME_ZONE="Nowhere/Else"\n`);
    // The file names the database; the environment's TIME_ZONE wins over the file's bad one.
    const added = command('admin', ['user', 'add', 'ops@example.com', '--role', 'admin'], { TIME_ZONE: 'Etc/UTC' }, dir);
    expect(added.status, added.stderr).toBe(0);
    const listed = command('admin', ['user', 'list'], { TIME_ZONE: 'Etc/UTC' }, dir);
    expect(listed.stdout).toContain('ops@example.com\tadmin');
    // Without the environment's value the file's is used, and its error names it.
    const bad = command('admin', ['user', 'list'], {}, dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('TIME_ZONE');
  });

  it('keeps a variable the environment sets, even to the empty string', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'SITE_NAME=From the file\nSMTP_URL=smtp://mail.example.com\nPORT=9999\n');
    const env: Record<string, string | undefined> = { SMTP_URL: '', PORT: '8080' };
    expect(readDotEnv(dir, env)).toBe(join(dir, '.env'));
    expect(env).toEqual({ SITE_NAME: 'From the file', SMTP_URL: '', PORT: '8080' });
    expect(readDotEnv(tempDir(), {})).toBeNull();
  });
});

describe('a database this version must not migrate', () => {
  it('refuses a database from a newer version, with the numbers, and leaves the file unchanged', () => {
    const dir = tempDir();
    const databasePath = migratedDatabase(dir);
    const sqlite = new Database(databasePath);
    const known = sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number;
    sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('f'.repeat(64), Date.UTC(2030, 0, 1));
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    const before = sha256(databasePath);
    const run = command('admin', ['user', 'list'], { DATABASE_PATH: databasePath });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`is at migration ${known + 1}, and this version of Shirase knows ${known}`);
    expect(run.stderr).toContain('Restore the backup taken before the upgrade');
    expect(sha256(databasePath)).toBe(before);
  });

  it.each([
    [
      'an SQLite file of another application',
      (path: string) => {
        const other = new Database(path);
        other.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL); INSERT INTO orders (total) VALUES (12.5)');
        other.close();
      },
      'is not a Shirase database',
    ],
    ['a file that is not SQLite at all', (path: string) => writeFileSync(path, 'name,total\nwidget,12.5\n'.repeat(100)), 'is not an SQLite database'],
  ])('refuses %s at start and leaves it unchanged', async (_, make, said) => {
    const dir = tempDir();
    const databasePath = join(dir, 'other.db');
    make(databasePath);
    const before = sha256(databasePath);
    const admin = command('admin', ['user', 'list'], { DATABASE_PATH: databasePath });
    expect(admin.status).toBe(1);
    expect(admin.stderr).toContain(said);
    await expect(startServerProcess({ DATABASE_PATH: databasePath })).rejects.toThrow(said);
    expect(sha256(databasePath)).toBe(before);
    expect(readdirSync(dir)).toEqual(['other.db']);
  });

  it('keeps a copy before migrating an older database, and names each migration it applies', () => {
    const dir = tempDir();
    const folder = join(dir, 'migrations');
    cpSync('db/migrations', folder, { recursive: true });
    const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const last = journal.entries.pop()!.tag;
    writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
    const databasePath = join(dir, 'shirase.db');
    const db = openDatabase(databasePath);
    migrateDatabase(db, folder);
    db.$client.close();

    const run = command('admin', ['user', 'list'], { DATABASE_PATH: databasePath });
    expect(run.status, run.stderr).toBe(0);
    const copy = `${databasePath}.before-${last}.bak`;
    expect(run.stderr).toContain(`The database is at migration ${journal.entries.length} of ${journal.entries.length + 1}; a copy was kept at ${copy}`);
    expect(run.stderr).toContain(`Applied migration ${last}.`);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const kept = new Database(copy, { readonly: true });
    expect(kept.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(journal.entries.length);
    kept.close();
    // Up to date now: the next command migrates nothing and says nothing of it.
    const again = command('admin', ['user', 'list'], { DATABASE_PATH: databasePath });
    expect(again.stderr).not.toContain('Applied migration');
  });
});

describe('restore while the server runs', () => {
  it('is refused, changing nothing, and goes ahead once the server has stopped', async () => {
    const server = await startServerProcess();
    dirs.push(dirname(server.databasePath));
    const backup = join(tempDir(), 'backup.tar.gz');
    const env = { DATABASE_PATH: server.databasePath, POSTMORTEMS_DIR: server.postmortemsDir };
    try {
      const taken = command('backup', [backup], env);
      expect(taken.status, taken.stderr).toBe(0);
      const refused = command('restore', [backup, '--yes'], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('is open in a running Shirase server or delivery worker; nothing was changed. Stop it first');
      expect(readdirSync(dirname(server.databasePath)).filter((f) => /restor/.test(f))).toEqual([]);
      // The server still answers from the same file.
      expect((await fetch(`${server.url}/api/v2/status.json`)).status).toBe(200);
    } finally {
      await server.crash();
    }
    // A crash drops the lock with the process: nothing stale is left to refuse the restore.
    const restored = command('restore', [backup, '--yes'], env);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('Restored');
    expect(existsSync(server.databasePath)).toBe(true);
  });
});
