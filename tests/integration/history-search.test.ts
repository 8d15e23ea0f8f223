import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { migrateDatabase, openDatabase } from '../../db/open';
import { incidents, incidentUpdates } from '../../db/schema';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { editIncident } from '../../src/lib/incidents/edit-incident';
import { editIncidentUpdate } from '../../src/lib/incidents/edit-update';
import { deleteIncidentUpdate } from '../../src/lib/incidents/delete-update';
import { countHistory } from '../../src/lib/views/history-page';
import { freshDatabase } from '../support/test-server';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const found = (db: ReturnType<typeof openDatabase>, query: string) => countHistory(db, { query });

describe('the history search index', () => {
  it('follows renames, corrected and deleted updates', () => {
    const { db, dir } = freshDatabase();
    dirs.push(dir);
    const ctx = { now: Date.now() };
    const { incidentId } = openIncident(db, { name: 'Otter pond drained', status: 'investigating', body: 'The pump stopped.' }, ctx);
    const { updateId } = postIncidentUpdate(
      db,
      incidentId,
      { status: 'identified', body: 'The walrus sat on the pump.', translations: { ja: { body: 'セイウチがポンプの上に座っていました。' } } },
      ctx,
    );
    expect(found(db, 'drained')).toBe(1);
    expect(found(db, 'WALRUS')).toBe(1);
    expect(found(db, 'セイウチ')).toBe(1);

    editIncident(db, incidentId, { name: 'Otter pond refilled', version: db.select().from(incidents).where(eq(incidents.id, incidentId)).get()!.version }, ctx);
    expect(found(db, 'drained')).toBe(0);
    expect(found(db, 'refilled')).toBe(1);
    // The updates' texts are still there after a rename.
    expect(found(db, 'walrus')).toBe(1);

    editIncidentUpdate(
      db,
      updateId,
      { body: 'A seal sat on the pump.', version: db.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get()!.version },
      ctx,
    );
    expect(found(db, 'walrus')).toBe(0);
    expect(found(db, 'a seal sat')).toBe(1);

    deleteIncidentUpdate(db, updateId, ctx);
    expect(found(db, 'seal')).toBe(0);
    expect(found(db, 'pump stopped')).toBe(1);
    db.$client.close();
  });

  it('takes in the incidents written before the migration that adds it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-search-'));
    dirs.push(dir);
    // The migrations as they were before the index: the journal without its entry.
    const before = join(dir, 'migrations');
    cpSync('db/migrations', before, { recursive: true });
    const journal = JSON.parse(readFileSync(join(before, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.tag.endsWith('_add_incident_search')),
    );
    writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify(journal));
    const db = openDatabase(join(dir, 'old.db'));
    migrateDatabase(db, before);
    // Today's verbs write columns later migrations add: lend them, and take them back before migrating.
    const lent = [
      'incident_updates ADD body_key text',
      'incidents ADD update_cadence_minutes integer DEFAULT 60 NOT NULL',
      'incidents ADD cadence_reminded_for integer',
      'incidents ADD sequence integer DEFAULT 0 NOT NULL',
      'incidents ADD series_id text',
      'incidents ADD occurrence_start integer',
      'incidents ADD page_id text',
      "audit_log ADD audience text DEFAULT 'staff' NOT NULL",
    ];
    for (const column of lent) db.$client.exec(`ALTER TABLE ${column}`);
    const ctx = { now: Date.now() };
    const { incidentId } = openIncident(
      db,
      { name: 'Badger tunnel collapse', status: 'investigating', body: 'Digging resumed.', translations: { ja: { name: 'アナグマのトンネル崩落' } } },
      ctx,
    );
    postIncidentUpdate(db, incidentId, { status: 'resolved', body: 'Tunnel shored up with oak.' }, ctx);
    for (const column of lent) db.$client.exec(`ALTER TABLE ${column.replace(/ ADD (\w+).*/, ' DROP COLUMN $1')}`);

    migrateDatabase(db);
    expect(found(db, 'badger')).toBe(1);
    expect(found(db, 'shored up')).toBe(1);
    expect(found(db, 'トンネル崩落')).toBe(1);
    expect(found(db, 'pangolin')).toBe(0);
    db.$client.close();
  });
});
