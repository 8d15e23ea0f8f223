import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { components } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { deleteIncidentUpdate } from '../../src/lib/incidents/delete-update';
import { setComponentStatus } from '../../src/lib/components/set-component-status';
import { editComponent } from '../../src/lib/components/edit-component';

// What Statuspage clients poll to learn whether anything changed.
const ENDPOINTS = [
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
];
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

type Json = {
  page: { updated_at: string };
  components?: { id: string; updated_at: string }[];
  incidents?: { id: string; updated_at: string; incident_updates: { updated_at: string }[] }[];
};

async function all(): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {};
  for (const path of ENDPOINTS) out[path] = (await (await fetch(site.url + path)).json()) as Json;
  return out;
}

let previous = '';
/** After a write at `writtenAt`: every endpoint names the same page.updated_at, no earlier than the write nor than the last answer. */
async function afterWrite(writtenAt: number): Promise<Record<string, Json>> {
  const answers = await until(async () => {
    const a = await all();
    const times = new Set(Object.values(a).map((j) => j.page.updated_at));
    // The public copies are rebuilt within moments of the write; wait until every endpoint has it.
    return times.size === 1 && Date.parse([...times][0]!) >= writtenAt ? a : undefined;
  });
  const pageTime = answers['/api/v2/summary.json']!.page.updated_at;
  expect(pageTime).toMatch(RFC3339_MS);
  expect(pageTime >= previous, `${pageTime} after ${previous}`).toBe(true);
  previous = pageTime;
  return answers;
}

const componentIn = (j: Json, id: string) => j.components!.find((c) => c.id === id)!;

describe('Statuspage timestamps', () => {
  it('move forward together on every endpoint after each kind of write, and name what changed', async () => {
    const api = site.db.select().from(components).where(eq(components.name, 'API')).get()!;
    const ctx = () => ({ now: Date.now() });

    let at = Date.now();
    const { incidentId } = openIncident(
      site.db,
      { name: 'Timestamps', status: 'investigating', body: 'Looking.', components: [{ componentId: api.id, status: 'partial_outage' }] },
      ctx(),
    );
    let answers = await afterWrite(at);
    for (const path of ['/api/v2/summary.json', '/api/v2/components.json']) {
      const updated = componentIn(answers[path]!, api.id).updated_at;
      expect(updated).toMatch(RFC3339_MS);
      // The status change is the component's latest change, not its creation by the seed.
      expect(Date.parse(updated)).toBeGreaterThanOrEqual(at);
    }
    const listed = answers['/api/v2/incidents.json']!.incidents!.find((i) => i.id === incidentId)!;
    expect(Date.parse(listed.updated_at)).toBeGreaterThanOrEqual(at);

    await new Promise((r) => setTimeout(r, 20));
    at = Date.now();
    const { updateId } = postIncidentUpdate(site.db, incidentId, { status: 'identified', body: 'Found it.' }, ctx());
    answers = await afterWrite(at);
    const incident = answers['/api/v2/incidents/unresolved.json']!.incidents!.find((i) => i.id === incidentId)!;
    // The incident's time is its last update or edit.
    expect(incident.updated_at >= incident.incident_updates[0]!.updated_at).toBe(true);
    expect(Date.parse(incident.updated_at)).toBeGreaterThanOrEqual(at);

    at = Date.now();
    deleteIncidentUpdate(site.db, updateId, ctx());
    await afterWrite(at);

    at = Date.now();
    const current = site.db.select().from(components).where(eq(components.id, api.id)).get()!;
    editComponent(site.db, api.id, { name: 'Public API', version: current.version }, ctx());
    answers = await afterWrite(at);
    expect(Date.parse(componentIn(answers['/api/v2/components.json']!, api.id).updated_at)).toBeGreaterThanOrEqual(at);

    at = Date.now();
    const web = site.db.select().from(components).where(eq(components.name, 'Web app')).get()!;
    setComponentStatus(site.db, web.id, { status: 'degraded_performance' }, ctx());
    answers = await afterWrite(at);
    expect(Date.parse(componentIn(answers['/api/v2/summary.json']!, web.id).updated_at)).toBeGreaterThanOrEqual(at);

    // Resolving drops the incident from the unresolved lists; the page's time still moves forward.
    at = Date.now();
    resolveIncident(site.db, incidentId, { body: 'Fixed.' }, ctx());
    answers = await afterWrite(at);
    expect(answers['/api/v2/incidents/unresolved.json']!.incidents!.some((i) => i.id === incidentId)).toBe(false);
  });
});
