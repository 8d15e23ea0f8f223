import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { keptStatement } from '../../db/open';
import { freshDatabase } from '../support/test-server';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { buildStatusPageView } from '../../src/lib/views/status-page';

const MINUTE = 60_000;

describe('statements drizzle compiles', () => {
  it('are compiled once and reused by their text', () => {
    const { db } = freshDatabase({ seed: true });
    const now = Date.now();
    buildStatusPageView(db, now, 'Asia/Tokyo');
    const client = db.$client;
    const prepare = client.prepare.bind(client);
    let compiled = 0;
    client.prepare = ((source: string) => {
      compiled++;
      return prepare(source);
    }) as typeof client.prepare;
    const view = buildStatusPageView(db, now, 'Asia/Tokyo');
    expect(view.groups.length + view.ungrouped.length).toBeGreaterThan(0);
    expect(compiled).toBe(0);
    client.close();
  });

  it('answer in the shape asked for, whatever shape they last answered in', () => {
    const { db } = freshDatabase();
    // drizzle asks for array rows for its own mapping, and leaves the statement so.
    expect(db.values(sql`select 1 as one, 'two' as two`)).toEqual([[1, 'two']]);
    expect(db.get(sql`select 1 as one, 'two' as two`)).toEqual({ one: 1, two: 'two' });
    expect(db.all(sql`select 1 as one, 'two' as two`)).toEqual([{ one: 1, two: 'two' }]);
    expect(db.values(sql`select 1 as one, 'two' as two`)).toEqual([[1, 'two']]);
    // And statements kept for code that asks SQLite directly.
    expect(keptStatement(db, 'select 1 as one').pluck().get()).toBe(1);
    expect(keptStatement(db, 'select 1 as one').get()).toEqual({ one: 1 });
    db.$client.close();
  });
});

describe('the status page of a long incident', () => {
  it('reads only the latest update of each card, by display time, and counts the rest', () => {
    const { db } = freshDatabase();
    const start = Date.UTC(2026, 5, 18, 5, 0);
    const ctx = (now: number) => ({ now });
    const { incidentId } = openIncident(db, { name: 'Checkout errors', status: 'investigating', body: 'Looking into it.' }, ctx(start));
    for (let i = 1; i <= 5; i++) postIncidentUpdate(db, incidentId, { status: 'identified', body: `Update ${i}.` }, ctx(start + i * MINUTE));
    // Written last, but dated between the second and the third: not the latest.
    postIncidentUpdate(db, incidentId, { status: 'identified', body: 'A note from earlier.', displayAt: start + 2.5 * MINUTE }, ctx(start + 6 * MINUTE));

    const view = buildStatusPageView(db, start + 10 * MINUTE, 'Asia/Tokyo');
    const [card] = view.activeIncidents;
    expect(card!.updates.map((u) => u.body)).toEqual(['Update 5.']);
    expect(card!.updateCount).toBe(7);
    db.$client.close();
  });
});
