import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freshDatabase } from '../support/test-server';

const { db, dir, databasePath } = freshDatabase({ seed: true });
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { ...process.env, DATABASE_PATH: databasePath };

describe('backup and restore', () => {
  it('takes a consistent online backup while another process keeps writing, and restores it', async () => {
    // A writer process opening incidents as fast as it can for the whole backup.
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `
        import { openDatabase } from './db/open.ts';
        import { openIncident } from './src/lib/incidents/open-incident.ts';
        const db = openDatabase(process.env.DATABASE_PATH);
        const end = Date.now() + 3000;
        let n = 0;
        while (Date.now() < end) openIncident(db, { name: 'Write ' + (n++), status: 'investigating', body: 'x' }, { now: Date.now() });
        console.log(n);
      `],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let written = '';
    writer.stdout!.on('data', (c: Buffer) => (written += c.toString()));
    await new Promise((r) => setTimeout(r, 800));
    const backup = join(dir, 'backup.db');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', backup], { env, encoding: 'utf8' });
    expect(out).toContain('integrity check passed');
    await new Promise((r) => writer.once('exit', r));
    expect(Number(written)).toBeGreaterThan(10);

    const copy = new Database(backup, { readonly: true });
    const incidentsInCopy = copy.prepare('select count(*) from incidents').pluck().get() as number;
    // Every incident in the copy is whole: it has its first update, and nothing points at a missing row.
    expect(copy.prepare('select count(*) from incidents i where not exists (select 1 from incident_updates u where u.incident_id = i.id)').pluck().get()).toBe(0);
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    copy.close();
    const live = db.$client.prepare('select count(*) from incidents').pluck().get() as number;
    expect(incidentsInCopy).toBeLessThanOrEqual(live);

    db.$client.close();
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/restore.ts', backup], { env, encoding: 'utf8' });
    const restored = new Database(databasePath, { readonly: true });
    expect(restored.prepare('select count(*) from incidents').pluck().get()).toBe(incidentsInCopy);
    restored.close();
  });

  it('refuses to restore something that is not a database, changing nothing', () => {
    const bogus = join(dir, 'bogus.db');
    execFileSync('sh', ['-c', `echo not a database > ${bogus}`]);
    let failed = false;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/restore.ts', bogus], { env, stdio: 'pipe' });
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    const still = new Database(databasePath, { readonly: true });
    expect(still.prepare('select count(*) from incidents').pluck().get()).toBeGreaterThan(0);
    still.close();
  });
});
