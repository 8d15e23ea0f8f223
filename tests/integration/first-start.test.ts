import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { freshDatabase, freePort } from '../support/test-server';
import { seedFirstStart } from '../../src/lib/demo/first-start';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function counts(db: Database.Database) {
  const n = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { components: n('components'), incidents: n('incidents'), users: n('users'), audit: n('audit_log') };
}

const failOn = (table: string) => `CREATE TRIGGER fail_first_start BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`;

describe('the first start', () => {
  it('leaves an empty database when seeding fails half-way, and the next start seeds it again', async () => {
    const { db, dir } = freshDatabase();
    folders.push(dir);
    // Components are written first; the incidents after them fail.
    db.$client.exec(failOn('incidents'));
    await expect(seedFirstStart(db, { now: Date.now(), timeZone: 'Asia/Tokyo', seed: 'auto' })).rejects.toThrow(/the disk is full/);
    expect(counts(db.$client)).toEqual({ components: 0, incidents: 0, users: 0, audit: 0 });

    db.$client.exec('DROP TRIGGER fail_first_start');
    const again = await seedFirstStart(db, { now: Date.now(), timeZone: 'Asia/Tokyo', seed: 'auto' });
    expect(again.seeded).toBe(true);
    expect(again.admin?.email).toBe('admin@example.com');
    expect(again.admin?.password.length).toBeGreaterThan(10);
    const after = counts(db.$client);
    expect(after.components).toBeGreaterThan(0);
    expect(after.users).toBe(1);
    // A third start finds the demo and changes nothing.
    expect(await seedFirstStart(db, { now: Date.now(), timeZone: 'Asia/Tokyo', seed: 'auto' })).toEqual({ seeded: false });
    expect(counts(db.$client)).toEqual(after);
    db.$client.close();
  });

  it('commits the demo and its admin together: no demo without a way to sign in', async () => {
    const { db, dir } = freshDatabase();
    folders.push(dir);
    db.$client.exec(failOn('users'));
    await expect(seedFirstStart(db, { now: Date.now(), timeZone: 'Asia/Tokyo', seed: 'auto' })).rejects.toThrow(/the disk is full/);
    expect(counts(db.$client)).toEqual({ components: 0, incidents: 0, users: 0, audit: 0 });
    db.$client.close();
  });

  it('npm start that fails mid-seed exits, and the next npm start seeds and prints the admin password', async () => {
    const { db, dir, databasePath } = freshDatabase();
    folders.push(dir);
    db.$client.exec(failOn('users'));
    db.$client.close();

    const start = async (stopWhen: RegExp | null) => {
      const port = await freePort();
      const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
        env: {
          ...process.env,
          DATABASE_PATH: databasePath,
          POSTMORTEMS_DIR: 'content/postmortems',
          MAIL_DIR: `${dir}/mail`,
          PORT: String(port),
          HOST: '127.0.0.1',
          WORKER: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (stopWhen?.test(output)) child.kill('SIGTERM');
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
      return { code, output };
    };

    const failed = await start(null);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('the disk is full');
    const check = new Database(databasePath);
    expect(counts(check)).toEqual({ components: 0, incidents: 0, users: 0, audit: 0 });
    check.exec('DROP TRIGGER fail_first_start');
    check.close();

    const ok = await start(/is live at/);
    expect(ok.output).toMatch(/Seeded the demo/);
    // Not a terminal: the password goes to a file only its owner reads, never into the log.
    const file = /admin@example\.com with the password in (\S+) /.exec(ok.output)![1]!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [email, password] = readFileSync(file, 'utf8').split('\n');
    expect(email).toBe('admin@example.com');
    expect(password!.length).toBeGreaterThan(10);
    expect(ok.output).not.toContain(password);
    const seeded = new Database(databasePath, { readonly: true });
    expect(counts(seeded).users).toBe(1);
    expect(counts(seeded).components).toBeGreaterThan(0);
    seeded.close();
  }, 60_000);
});
