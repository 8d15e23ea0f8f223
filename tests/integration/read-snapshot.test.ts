import { describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { openDatabase, readSnapshot } from '../../db/open';
import { incidents } from '../../db/schema';
import { freshDatabase } from '../support/test-server';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { buildStatusPageView } from '../../src/lib/views/status-page';

describe('a page built from several queries', () => {
  it('reads one snapshot, so a write landing between two queries shows all or nothing', () => {
    const { db: reader, databasePath } = freshDatabase({ seed: true });
    const writer = openDatabase(databasePath);
    const incidentCount = () => reader.select({ n: count() }).from(incidents).get()!.n;
    const before = incidentCount();
    const [first, second] = readSnapshot(reader, () => {
      const a = incidentCount();
      openIncident(writer, { name: 'Lands mid-render', status: 'investigating', body: 'Committed by another connection.' }, { now: Date.now() });
      return [a, incidentCount()];
    });
    expect(first).toBe(before);
    expect(second).toBe(before);
    expect(incidentCount()).toBe(before + 1);
    writer.$client.close();
  });

  it('lets the status page be built inside another snapshot, as the API does', () => {
    const { db } = freshDatabase({ seed: true });
    const view = readSnapshot(db, () => buildStatusPageView(db, Date.now(), 'Asia/Tokyo'));
    expect(view.groups.length + view.ungrouped.length).toBeGreaterThan(0);
  });
});
