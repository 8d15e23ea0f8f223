import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { count, eq } from 'drizzle-orm';
import { freshDatabase } from '../support/test-server';
import { componentStatusChanges, components, incidentUpdates, incidents } from '../../db/schema';
import { createComponent } from '../../src/lib/components/create-component';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { runMaintenanceWindows } from '../../src/lib/incidents/run-maintenance-windows';
import { t } from '../../src/lib/i18n/messages';
import { ShiraseError } from '../../src/lib/errors';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { loadIncident } from '../../src/lib/incidents/load-incidents';
import { changeCounterReader } from '../../src/lib/site/change-counter';
import { incidentFigures } from '../../src/lib/postmortems/metrics';

const H = 3_600_000;
const opened: { db: ReturnType<typeof freshDatabase>['db']; dir: string }[] = [];
function setup() {
  const site = freshDatabase();
  opened.push(site);
  return site.db;
}
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('migrations', () => {
  it('create every table on a fresh file and record themselves', () => {
    const db = setup();
    const tables = db.$client.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'component_groups',
        'components',
        'component_status_changes',
        'incidents',
        'incident_components',
        'incident_updates',
        'site_state',
        '__drizzle_migrations',
      ]),
    );
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('the incident log', () => {
  it('records component changes in the ledger and derives current status from it', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    const { componentId: api } = createComponent(db, { name: 'API' }, { now: now - 100 * H });
    const { incidentId } = openIncident(
      db,
      {
        name: 'API errors',
        status: 'investigating',
        body: 'Errors on every call.',
        components: [{ componentId: api, status: 'major_outage' }],
        displayAt: now - 2 * H,
      },
      { now },
    );
    expect(loadComponentTree(db, now).all[0]!.status).toBe('major_outage');
    const incident = loadIncident(db, incidentId)!;
    expect(incident.impact).toBe('critical');
    expect(incident.updates[0]!.changes).toEqual([{ componentId: api, name: 'API', oldStatus: 'operational', newStatus: 'major_outage' }]);

    resolveIncident(db, incidentId, { body: 'Fixed.', displayAt: now - H }, { now });
    expect(loadComponentTree(db, now).all[0]!.status).toBe('operational');
    const resolved = loadIncident(db, incidentId)!;
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt! - resolved.startedAt).toBe(H);
  });

  it('keeps the status of the latest update by display time when a back-dated one arrives', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    const { incidentId } = openIncident(db, { name: 'Slow', status: 'investigating', body: 'Slow pages.', displayAt: now - 3 * H }, { now });
    postIncidentUpdate(db, incidentId, { status: 'monitoring', body: 'Fix deployed.', displayAt: now - H }, { now });
    postIncidentUpdate(db, incidentId, { status: 'identified', body: 'Found it (written late).', displayAt: now - 2 * H }, { now });
    const incident = loadIncident(db, incidentId)!;
    expect(incident.status).toBe('monitoring');
    expect(incident.updates.map((u) => u.status)).toEqual(['investigating', 'identified', 'monitoring']);
  });

  it('refuses bad input with field errors and writes nothing', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    const readChangeCounter = changeCounterReader(db);
    const before = readChangeCounter();
    let error: unknown;
    try {
      openIncident(
        db,
        {
          name: '  ',
          status: 'exploding' as 'investigating',
          body: 'x'.repeat(20_001),
          displayAt: now + 3 * H,
          components: [{ componentId: 'zzzzzzzzzzzz', status: 'major_outage' }],
        },
        { now },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShiraseError);
    expect((error as ShiraseError).code).toBe('VALIDATION');
    expect((error as ShiraseError).fields.map((f) => f.field).sort()).toEqual(['body', 'displayAt', 'name', 'status']);
    expect(db.select({ n: count() }).from(incidents).get()!.n).toBe(0);
    expect(readChangeCounter()).toBe(before);
  });

  it('rolls back the whole write when a component does not exist', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    expect(() =>
      openIncident(
        db,
        { name: 'Ghost', status: 'investigating', body: 'Boo.', components: [{ componentId: 'zzzzzzzzzzzz', status: 'major_outage' }] },
        { now },
      ),
    ).toThrow(/Unknown component/);
    expect(db.select({ n: count() }).from(incidents).get()!.n).toBe(0);
    expect(db.select({ n: count() }).from(incidentUpdates).get()!.n).toBe(0);
    expect(db.select({ n: count() }).from(componentStatusChanges).get()!.n).toBe(0);
  });

  it('refuses a maintenance window that ends before it starts', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    expect(() => scheduleMaintenance(db, { name: 'Upgrade', body: 'Work.', scheduledFor: now + 2 * H, scheduledUntil: now + H }, { now })).toThrow(
      ShiraseError,
    );
  });

  it('starts and completes maintenance at the edges of its window', () => {
    const db = setup();
    const now = Date.UTC(2026, 0, 10, 12);
    const { componentId } = createComponent(db, { name: 'Database' }, { now });
    const { incidentId } = scheduleMaintenance(
      db,
      { name: 'Upgrade', body: 'Read-only for an hour.', componentIds: [componentId], scheduledFor: now + H, scheduledUntil: now + 2 * H },
      { now },
    );
    expect(runMaintenanceWindows(db, now)).toBe(0);
    expect(runMaintenanceWindows(db, now + H + 1)).toBe(1);
    expect(loadIncident(db, incidentId)!.status).toBe('in_progress');
    expect(loadComponentTree(db, now + H + 1).all[0]!.status).toBe('under_maintenance');
    expect(runMaintenanceWindows(db, now + 2 * H + 1)).toBe(1);
    const done = loadIncident(db, incidentId)!;
    expect(done.status).toBe('completed');
    expect([done.startedAt, done.resolvedAt]).toEqual([now + H, now + 2 * H]);
    expect(loadComponentTree(db, now + 2 * H + 1).all[0]!.status).toBe('operational');
    // What Shirase writes itself at the edges is there in every language.
    expect(done.updates.map((u) => u.body).slice(1)).toEqual([t('en', 'auto.maintenance_started'), t('en', 'auto.maintenance_completed')]);
    expect(
      loadIncident(db, incidentId, 'ja')!
        .updates.map((u) => u.body)
        .slice(1),
    ).toEqual([t('ja', 'auto.maintenance_started'), t('ja', 'auto.maintenance_completed')]);
  });
});

describe('the demo seed', () => {
  it('holds the June 18 outage with its whole timeline, each update published as it was posted', () => {
    const { db, dir } = freshDatabase({ seed: true });
    opened.push({ db, dir });
    const june18 = db.select().from(incidents).where(eq(incidents.name, 'Service unavailable after the renewal release')).get()!;
    expect(june18.backfilled).toBe(false);
    expect(new Date(june18.startedAt).toISOString()).toBe('2018-06-17T21:00:00.000Z');
    expect(june18.resolvedAt! - june18.startedAt).toBe((19 * 60 + 40) * 60_000);
    expect(june18.impact).toBe('critical');
    const incident = loadIncident(db, june18.id)!;
    expect(incident.updates).toHaveLength(15);
    expect(incident.components.map((c) => c.name).sort()).toEqual(['API', 'Android app', 'Web app', 'iOS app']);
    // Published 07:06 (JST) about 07:00; every later update at its own time.
    expect(incident.updates.map((u) => (u.createdAt - u.displayAt) / 60_000)).toEqual([6, ...Array(14).fill(0)]);

    // The postmortem's figures, as the June 18 report shows them.
    const figures = incidentFigures(incident, Date.now());
    const minutes = Object.fromEntries(figures.metrics.map((m) => [m.key, m.ms! / 60_000]));
    expect(minutes).toEqual({ firstWord: 66, identify: 4 * 60, longestSilence: 4 * 60 + 20, resolve: 19 * 60 + 40 });
    const silence = figures.metrics.find((m) => m.key === 'longestSilence')!;
    expect([new Date(silence.from!).toISOString(), new Date(silence.to!).toISOString()]).toEqual(['2018-06-18T09:10:00.000Z', '2018-06-18T13:30:00.000Z']);
    expect(figures.afterwards).toEqual([]);

    const maintenance = db.select().from(incidents).where(eq(incidents.name, 'Renewal release: planned maintenance')).get()!;
    expect(maintenance.status).toBe('completed');
    expect(new Date(maintenance.startedAt).toISOString()).toBe('2018-06-17T13:00:00.000Z');
    expect(maintenance.resolvedAt! - maintenance.startedAt).toBe(8 * H);

    const upcoming = db.select().from(incidents).where(eq(incidents.status, 'scheduled')).all();
    // The cache replacement, and the eight windows of the weekly index rebuild.
    expect(upcoming.filter((w) => w.seriesId === null)).toHaveLength(1);
    expect(upcoming.filter((w) => w.seriesId !== null).map((w) => w.name)).toEqual(Array(8).fill('Weekly search index rebuild'));
    expect(db.select({ n: count() }).from(components).get()!.n).toBeGreaterThanOrEqual(6);
    expect(loadComponentTree(db, Date.now()).all.every((c) => c.status === 'operational')).toBe(true);
  });
});
