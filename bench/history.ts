// `npm run bench -- history`: ten years of history (20,000 incidents, 200,000
// updates, 50 components); start time, write-to-fresh time and peak memory.
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type Db } from '../db/open';
import { newPublicId } from '../src/lib/ids';
import { postIncidentUpdate } from '../src/lib/incidents/post-update';
import { peakRssMb, startServer, tempDir } from './support';

const COMPONENTS = 50;
const INCIDENTS = 20_000;
const UPDATES_PER_INCIDENT = 10;
const YEARS = 10;

/** Bulk-loads history with plain SQL: this measures serving, not seeding. */
export function seedHistory(db: Db, now: number): string {
  const sqlite = db.$client;
  const since = now - YEARS * 365 * 86_400_000;
  const componentIds: string[] = [];
  sqlite.transaction(() => {
    const group = sqlite.prepare('insert into component_groups (id, name, position, created_at, updated_at) values (?, ?, ?, ?, ?)');
    const component = sqlite.prepare('insert into components (id, name, group_id, position, only_show_if_degraded, created_at, updated_at) values (?, ?, ?, ?, 0, ?, ?)');
    for (let g = 0; g < 5; g++) {
      const groupId = newPublicId();
      group.run(groupId, `Region ${g + 1}`, g + 1, since, since);
      for (let c = 0; c < COMPONENTS / 5; c++) {
        const id = newPublicId();
        componentIds.push(id);
        component.run(id, `Service ${g + 1}.${c + 1}`, groupId, c + 1, since, since);
      }
    }
    const incident = sqlite.prepare(
      "insert into incidents (id, kind, name, impact, impact_override, status, started_at, monitoring_at, resolved_at, auto_transitions, backfilled, created_at, updated_at) values (?, 'incident', ?, 'major', 0, 'resolved', ?, ?, ?, 0, 0, ?, ?)",
    );
    const link = sqlite.prepare('insert into incident_components (incident_id, component_id) values (?, ?)');
    const update = sqlite.prepare('insert into incident_updates (id, seq, incident_id, status, body, display_at, notify, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?)');
    const change = sqlite.prepare(
      "insert into component_status_changes (component_id, at, status, previous_status, cause, incident_id, incident_update_id, created_at) values (?, ?, ?, ?, 'incident_update', ?, ?, ?)",
    );
    const statuses = ['investigating', 'identified', 'identified', 'identified', 'monitoring', 'monitoring', 'monitoring', 'monitoring', 'monitoring', 'resolved'];
    let seq = 0;
    for (let i = 0; i < INCIDENTS; i++) {
      const id = newPublicId();
      const start = since + Math.floor((i / INCIDENTS) * (now - since - 86_400_000));
      const step = 6 * 60_000;
      const componentId = componentIds[i % componentIds.length]!;
      incident.run(id, `Incident ${i + 1}: elevated errors`, start, start + 4 * step, start + 9 * step, start, start + 9 * step);
      link.run(id, componentId);
      for (let u = 0; u < UPDATES_PER_INCIDENT; u++) {
        const updateId = newPublicId();
        update.run(updateId, ++seq, id, statuses[u], `Update ${u + 1} of incident ${i + 1}. We are looking at error rates and will post again soon.`, start + u * step, start, start);
        if (u === 0) change.run(componentId, start, 'partial_outage', 'operational', id, updateId, start);
        if (u === UPDATES_PER_INCIDENT - 1) change.run(componentId, start + u * step, 'operational', 'partial_outage', id, updateId, start);
      }
    }
  })();
  const latest = sqlite.prepare('select id from incidents order by started_at desc limit 1').pluck().get() as string;
  return latest;
}

/**
 * Polls until the page shows `text`, as the live page's fallback does: with
 * If-None-Match, so an unchanged page costs a 304 rather than a download.
 */
async function waitFor(url: string, text: string, limitMs = 10_000): Promise<number> {
  const started = performance.now();
  let etag: string | null = null;
  while (performance.now() - started < limitMs) {
    const res: Response = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} });
    if (res.status === 304) await res.arrayBuffer();
    else {
      etag = res.headers.get('etag');
      if ((await res.text()).includes(text)) return performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return Infinity;
}

export async function benchHistory(): Promise<void> {
  const tmp = tempDir('shirase-history-');
  const databasePath = join(tmp.dir, 'history.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const seeding = performance.now();
  const latest = seedHistory(db, Date.now());
  console.log(`Seeded ${INCIDENTS.toLocaleString('en')} incidents, ${(INCIDENTS * UPDATES_PER_INCIDENT).toLocaleString('en')} updates and ${COMPONENTS} components in ${Math.round(performance.now() - seeding)} ms.`);

  const server = await startServer(databasePath, { SEED_DEMO: 'never' });
  const firstPage = performance.now();
  await fetch(server.url + '/');
  const startToFirstPage = server.startMs + (performance.now() - firstPage);

  // A write to the latest incident touches its own page, the incidents API and
  // the status page, whose recent incidents show each one's latest update.
  await fetch(`${server.url}/incidents/${latest}`);
  const writes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const body = `History bench follow-up ${i}`;
    const { updateId } = postIncidentUpdate(db, latest, { status: 'resolved', body }, { now: Date.now() });
    const posted = performance.now();
    await Promise.all([
      waitFor(server.url + '/api/v2/incidents.json', updateId),
      waitFor(`${server.url}/incidents/${latest}`, body),
      waitFor(server.url + '/', body),
    ]);
    writes.push(Math.round(performance.now() - posted));
  }
  const history = await fetch(server.url + '/history/page/400');
  const peak = peakRssMb(server.pid);
  await server.stop();
  db.$client.close();
  tmp.cleanup();

  const sorted = [...writes].sort((a, b) => a - b);
  console.log(`Start until listening: ${Math.round(server.startMs)} ms; until the first status page is served: ${Math.round(startToFirstPage)} ms (target <= 2000 ms).`);
  console.log(`Write to fresh (incidents.json, the incident page and the status page all show it): p50 ${sorted[5]} ms, max ${sorted.at(-1)} ms (target <= 100 ms).`);
  console.log(`Old history page /history/page/400 answered ${history.status}.`);
  console.log(`Server peak RSS: ${peak} MB (target <= 300 MB).`);
}
