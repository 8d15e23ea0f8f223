// Every integration test site starts from a database with the real
// migrations, most of them seeded with the demo too. Migrating and seeding
// take a second or two; copying a file takes milliseconds. So the run makes
// both once (this file is a vitest globalSetup) and each site copies one.
// Without the setup (the browser tier, a lone script), sites migrate and seed
// as before.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../../db/open';
import { seedDemo } from '../../src/lib/demo/seed-demo';

/** The run's templates, handed from the setup to the test workers, which inherit its environment. */
const VARIABLE = 'SHIRASE_TEST_TEMPLATES';
export const SEED_TIME_ZONE = 'Asia/Tokyo';

interface Templates {
  migrated: string;
  seeded: string;
  /** The `now` the demo was seeded with: its incidents are so many days before it, its maintenance so many after. */
  seededAt: number;
}

function localDay(at: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: SEED_TIME_ZONE }).format(at);
}

/**
 * Copies the run's template to `path` (which must not exist yet); false when
 * there is none. A seeded copy is refused once the demo's day has passed in
 * its time zone or it is older than a run should be: its "3 days ago" would
 * no longer be three days ago.
 */
export function copyTemplateDatabase(kind: 'migrated' | 'seeded', path: string, now = Date.now()): boolean {
  const given = process.env[VARIABLE];
  if (!given) return false;
  const templates = JSON.parse(given) as Templates;
  if (kind === 'seeded' && (localDay(templates.seededAt) !== localDay(now) || now - templates.seededAt > 30 * 60_000)) return false;
  copyFileSync(templates[kind], path);
  return true;
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-templates-'));
  const templates: Templates = { migrated: join(dir, 'migrated.db'), seeded: join(dir, 'seeded.db'), seededAt: Date.now() };
  for (const [path, seed] of [
    [templates.migrated, false],
    [templates.seeded, true],
  ] as const) {
    const db = openDatabase(path);
    migrateDatabase(db);
    if (seed) seedDemo(db, templates.seededAt, SEED_TIME_ZONE);
    // One self-contained file to copy: the WAL folded in and switched off (each copy's openDatabase turns it on again).
    db.$client.pragma('journal_mode = DELETE');
    db.$client.close();
  }
  process.env[VARIABLE] = JSON.stringify(templates);
  return () => rmSync(dir, { recursive: true, force: true });
}
