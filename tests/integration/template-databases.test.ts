import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../db/open';
import { freshDatabase } from '../support/test-server';

// Test sites copy a database migrated and seeded once per run
// (tests/support/template-databases.ts): a copy must be what migrating and
// seeding would have made, and belong to its test alone.
const made: { db: ReturnType<typeof freshDatabase>['db']; dir: string }[] = [];
const fresh = (options: { seed?: boolean; now?: number } = {}) => {
  const site = freshDatabase(options);
  made.push(site);
  return site;
};
afterAll(() => {
  for (const { db, dir } of made) {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
const applied = (db: ReturnType<typeof freshDatabase>['db']) => db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
const counts = (db: ReturnType<typeof freshDatabase>['db']) =>
  db.$client.prepare('SELECT (SELECT count(*) FROM components) AS components, (SELECT count(*) FROM incidents) AS incidents').get() as {
    components: number;
    incidents: number;
  };

describe('test databases', () => {
  it('come from the run’s templates, with every migration applied', () => {
    expect(process.env.SHIRASE_TEST_TEMPLATES).toBeTruthy();
    for (const seed of [false, true]) expect(applied(fresh({ seed }).db).n).toBe(journal.entries.length);
  });

  it('hold the demo when seeded, the same as seeding now would, and nothing when not', () => {
    const copied = counts(fresh({ seed: true }).db);
    expect(copied).toEqual(counts(fresh({ seed: true, now: Date.now() }).db));
    expect(copied.components).toBeGreaterThan(0);
    expect(copied.incidents).toBeGreaterThan(0);
    expect(counts(fresh().db)).toEqual({ components: 0, incidents: 0 });
  });

  it('are each a file of their own: a write to one is not seen in another', () => {
    const one = fresh({ seed: true });
    const other = fresh({ seed: true });
    one.db.$client.prepare('DELETE FROM incident_updates').run();
    one.db.$client.prepare('DELETE FROM incidents').run();
    expect(counts(one.db).incidents).toBe(0);
    expect(counts(other.db).incidents).toBeGreaterThan(0);
  });

  it('are the owner’s only, in write-ahead mode, as openDatabase makes them', () => {
    const { db, dir } = fresh({ seed: true });
    expect(statSync(join(dir, 'shirase.db')).mode & 0o777).toBe(0o600);
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
