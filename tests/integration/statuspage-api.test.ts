import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { endpointSchemas, type Endpoint } from '../support/statuspage-contract';
import { startTestSite, type TestSite } from '../support/test-server';
import { createComponent } from '../../src/lib/components/create-component';
import { createComponentGroup } from '../../src/lib/components/create-component-group';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';

const H = 3_600_000;
const endpoints = Object.keys(endpointSchemas) as Endpoint[];

type Bodies = { [E in Endpoint]: z.infer<(typeof endpointSchemas)[E]> };

async function fetchJson(site: TestSite, endpoint: string): Promise<unknown> {
  const res = await fetch(`${site.url}/api/v2/${endpoint}`);
  expect(res.status, endpoint).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  return res.json();
}

/** One endpoint's body, checked against its Statuspage shape. */
async function getJson<E extends Endpoint>(site: TestSite, endpoint: E): Promise<Bodies[E]> {
  return endpointSchemas[endpoint].parse(await fetchJson(site, endpoint)) as Bodies[E];
}

async function expectContract(site: TestSite): Promise<Bodies> {
  const bodies: Partial<Record<Endpoint, unknown>> = {};
  for (const endpoint of endpoints) {
    const body = await fetchJson(site, endpoint);
    const result = endpointSchemas[endpoint].safeParse(body);
    expect(result.success ? [] : result.error.issues.slice(0, 5), endpoint).toEqual([]);
    bodies[endpoint] = result.data;
  }
  return bodies as Bodies;
}

describe('on the demo data', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: true });
  });
  afterAll(() => site?.close());

  it('answers every endpoint in the Statuspage shape', async () => {
    const b = await expectContract(site);
    expect(b['summary.json'].status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(b['summary.json'].incidents).toEqual([]);
    // The cache replacement and the eight windows of the weekly index rebuild, each its own maintenance as on Statuspage.
    expect(b['summary.json'].scheduled_maintenances.map((m) => m.status)).toEqual(Array(9).fill('scheduled'));
    expect(b['incidents.json'].incidents.length).toBeGreaterThanOrEqual(6);
    expect(b['scheduled-maintenances/active.json'].scheduled_maintenances).toEqual([]);
  });

  it('lists incidents newest first with their updates newest first', async () => {
    const { incidents } = await getJson(site, 'incidents.json');
    const started = incidents.map((i) => Date.parse(i.started_at));
    expect([...started].sort((a, b) => b - a)).toEqual(started);
    const june18 = incidents.find((i) => i.name === 'Service unavailable after the renewal release')!;
    expect(june18.incident_updates[0]?.status).toBe('resolved');
    const shown = june18.incident_updates.map((u) => Date.parse(u.display_at));
    expect([...shown].sort((a, b) => b - a)).toEqual(shown);
    expect(june18.shortlink).toBe(`${site.config.siteUrl}/incidents/${june18.id}`);
    expect(june18.started_at).toBe('2018-06-17T21:00:00.000Z');
    expect(june18.resolved_at).toBe('2018-06-18T16:40:00.000Z');
    const outage = june18.incident_updates.find((u) => u.body.includes('stopped responding'))!;
    expect(outage.affected_components).toContainEqual(
      expect.objectContaining({ name: 'Web app', old_status: 'degraded_performance', new_status: 'major_outage' }),
    );
  });

  it('shows groups as Statuspage does, with child ids, and children pointing back', async () => {
    const { components } = await getJson(site, 'components.json');
    const groups = components.filter((c) => c.group);
    expect(groups.map((g) => g.name)).toEqual(['Apps', 'Platform']);
    for (const g of groups) {
      for (const childId of g.components ?? []) expect(components.find((c) => c.id === childId)?.group_id).toBe(g.id);
    }
  });

  it('supports conditional requests', async () => {
    const first = await fetch(`${site.url}/api/v2/summary.json`);
    await first.arrayBuffer();
    const again = await fetch(`${site.url}/api/v2/summary.json`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await fetch(`${site.url}/api/v2/nothing.json`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
  });

  it('serves uptime per component per day', async () => {
    const body = (await fetchJson(site, 'uptime.json')) as { components: { days: unknown[] }[]; formula: { partial_outage: number } };
    expect(body.components.length).toBe(8);
    expect(body.components[0]?.days).toHaveLength(90);
    expect(body.formula.partial_outage).toBe(0.3);
  });

  it('serves status badges as SVG', async () => {
    const overall = await fetch(`${site.url}/badge.svg`);
    expect(overall.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await overall.text()).toContain('All Systems Operational');
    const { components } = await getJson(site, 'components.json');
    const web = components.find((c) => c.name === 'Web app')!;
    expect(await (await fetch(`${site.url}/badge/${web.id}.svg`)).text()).toContain('Operational');
    expect((await fetch(`${site.url}/badge/zzzzzzzzzzzz.svg`)).status).toBe(404);
  });
});

describe('on edge cases', () => {
  // One empty site: the first test reads it before the second records anything.
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: false });
  });
  afterAll(() => site?.close());

  it('keeps every key with no components and nothing recorded', async () => {
    const b = await expectContract(site);
    expect(b['summary.json']).toMatchObject({ components: [], incidents: [], scheduled_maintenances: [], status: { indicator: 'none' } });
  });

  it('reports an unresolved incident, groups, and maintenance in every state', async () => {
    const now = Date.now();
    const ctx = { now };
    const { groupId } = createComponentGroup(site.db, { name: 'Core' }, ctx);
    const { componentId: a } = createComponent(site.db, { name: 'A', groupId }, ctx);
    const { componentId: b } = createComponent(site.db, { name: 'B', groupId }, ctx);
    const { componentId: c } = createComponent(site.db, { name: 'C' }, ctx);
    const { incidentId } = openIncident(
      site.db,
      { name: 'A is down', status: 'investigating', body: 'Down.', components: [{ componentId: a, status: 'major_outage' }] },
      ctx,
    );
    const future = scheduleMaintenance(
      site.db,
      { name: 'Later', body: 'Later.', componentIds: [c], scheduledFor: now + 2 * H, scheduledUntil: now + 3 * H },
      ctx,
    );
    const running = scheduleMaintenance(site.db, { name: 'Now', body: 'Now.', componentIds: [b], scheduledFor: now - H, scheduledUntil: now + H }, ctx);
    postIncidentUpdate(
      site.db,
      running.incidentId,
      { status: 'in_progress', body: 'Started.', displayAt: now - H, components: [{ componentId: b, status: 'under_maintenance' }] },
      ctx,
    );
    const checking = scheduleMaintenance(site.db, { name: 'Check', body: 'Check.', scheduledFor: now - 2 * H, scheduledUntil: now + H }, ctx);
    postIncidentUpdate(site.db, checking.incidentId, { status: 'verifying', body: 'Verifying.', displayAt: now - H }, ctx);
    // A window that is over is added as a record of past work, stored as completed.
    scheduleMaintenance(site.db, { name: 'Done', body: 'Done.', scheduledFor: now - 5 * H, scheduledUntil: now - 4 * H, pastRecord: true }, ctx);
    await site.server.checkForChanges();

    const bodies = await expectContract(site);
    const summary = bodies['summary.json'];
    expect(summary.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(summary.incidents.map((i) => i.id)).toEqual([incidentId]);
    expect(summary.incidents[0]?.components.map((x) => x.name)).toEqual(['A']);
    expect(summary.scheduled_maintenances.map((m) => m.name).sort()).toEqual(['Check', 'Later', 'Now']);
    const group = summary.components.find((x) => x.group)!;
    expect(group.status).toBe('major_outage');
    expect(group.components).toEqual([a, b]);
    expect(bodies['incidents/unresolved.json'].incidents).toHaveLength(1);
    expect(bodies['scheduled-maintenances/upcoming.json'].scheduled_maintenances.map((m) => m.id)).toEqual([future.incidentId]);
    expect(bodies['scheduled-maintenances/active.json'].scheduled_maintenances.map((m) => m.name).sort()).toEqual(['Check', 'Now']);
    expect(bodies['scheduled-maintenances.json'].scheduled_maintenances).toHaveLength(4);
    expect(bodies['incidents.json'].incidents.every((i) => !('scheduled_for' in i))).toBe(true);
  });
});
