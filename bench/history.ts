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
/** The first writes meet code the JIT has not optimised yet; the rest show the server as it runs for days. */
const WRITES = 30;
const COLD_WRITES = 10;

/** Bulk-loads history with plain SQL: this measures serving, not seeding. */
function seedHistory(db: Db, now: number): string {
  const sqlite = db.$client;
  const since = now - YEARS * 365 * 86_400_000;
  const componentIds: string[] = [];
  sqlite.transaction(() => {
    const group = sqlite.prepare('insert into component_groups (id, name, position, created_at, updated_at) values (?, ?, ?, ?, ?)');
    const component = sqlite.prepare(
      'insert into components (id, name, group_id, position, only_show_if_degraded, created_at, updated_at) values (?, ?, ?, ?, 0, ?, ?)',
    );
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
    const update = sqlite.prepare(
      'insert into incident_updates (id, seq, incident_id, status, body, display_at, notify, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?)',
    );
    const change = sqlite.prepare(
      "insert into component_status_changes (component_id, at, status, previous_status, cause, incident_id, incident_update_id, created_at) values (?, ?, ?, ?, 'incident_update', ?, ?, ?)",
    );
    const statuses = [
      'investigating',
      'identified',
      'identified',
      'identified',
      'monitoring',
      'monitoring',
      'monitoring',
      'monitoring',
      'monitoring',
      'resolved',
    ];
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
        update.run(
          updateId,
          ++seq,
          id,
          statuses[u],
          `Update ${u + 1} of incident ${i + 1}. We are looking at error rates and will post again soon.`,
          start + u * step,
          start,
          start,
        );
        if (u === 0) change.run(componentId, start, 'partial_outage', 'operational', id, updateId, start);
        if (u === UPDATES_PER_INCIDENT - 1) change.run(componentId, start + u * step, 'operational', 'partial_outage', id, updateId, start);
      }
    }
  })();
  const latest = sqlite.prepare('select id from incidents order by started_at desc limit 1').pluck().get() as string;
  return latest;
}

/** Follows /events as an open status page does; `next()` resolves at the next change announced, with when it came. */
async function followEvents(baseUrl: string): Promise<{ next(): Promise<number>; close(): void }> {
  const res = await fetch(baseUrl + '/events');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const waiting: ((at: number) => void)[] = [];
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.includes('event: change')) for (const wake of waiting.splice(0)) wake(performance.now());
      }
    }
  })();
  return { next: () => new Promise<number>((resolve) => waiting.push(resolve)), close: () => void reader.cancel().catch(() => {}) };
}

/**
 * Waits until every page shows its text, checking as an open page would: at
 * each change the server announces (once the pages it renders again are
 * ready), and every 50 ms in case an announcement is missed. Returns when the
 * announcement (or the check) that found them all current came, and when the
 * pages had been fetched and read.
 */
async function waitUntilShown(
  events: { next(): Promise<number> },
  announced: Promise<number>,
  pages: [url: string, text: string][],
  limitMs = 10_000,
): Promise<{ freshAt: number; seenAt: number }> {
  const started = performance.now();
  let nextCheck = announced;
  while (performance.now() - started < limitMs) {
    const wokeAt = await Promise.race([nextCheck, new Promise<number>((r) => setTimeout(() => r(performance.now()), 50))]);
    nextCheck = events.next();
    const shown = await Promise.all(pages.map(async ([url, text]) => (await (await fetch(url)).text()).includes(text)));
    if (shown.every(Boolean)) return { freshAt: wokeAt, seenAt: performance.now() };
  }
  return { freshAt: Infinity, seenAt: Infinity };
}

const REPORT_RUNS = 10;

/** Fetches the uptime report for the ten years seeded, as a reader asking for that range would; one warm-up, then timed runs. */
async function timeUptimeReport(baseUrl: string): Promise<{ path: string; p50: number; max: number; kb: number; status: number }> {
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear() - YEARS, today.getUTCMonth(), today.getUTCDate() + 2));
  const path = `/uptime?from=${from.toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}`;
  const first = await fetch(baseUrl + path);
  const body = await first.text();
  const times: number[] = [];
  for (let i = 0; i < REPORT_RUNS; i++) {
    const started = performance.now();
    await (await fetch(baseUrl + path)).text();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    path,
    p50: Math.round(times[Math.floor(times.length / 2)]!),
    max: Math.round(times[times.length - 1]!),
    kb: Math.round(Buffer.byteLength(body) / 1024),
    status: first.status,
  };
}

export async function benchHistory(): Promise<void> {
  const tmp = tempDir('shirase-history-');
  const databasePath = join(tmp.dir, 'history.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const seeding = performance.now();
  const latest = seedHistory(db, Date.now());
  console.log(
    `Seeded ${INCIDENTS.toLocaleString('en')} incidents, ${(INCIDENTS * UPDATES_PER_INCIDENT).toLocaleString('en')} updates and ${COMPONENTS} components in ${Math.round(performance.now() - seeding)} ms.`,
  );

  const server = await startServer(databasePath, { SEED_DEMO: 'never' });
  const firstPage = performance.now();
  await fetch(server.url + '/');
  const startToFirstPage = server.startMs + (performance.now() - firstPage);

  // A write to the latest incident touches its own page, the incidents API and
  // the status page, whose recent incidents show each one's latest update.
  await fetch(`${server.url}/incidents/${latest}`);
  const events = await followEvents(server.url);
  const writes: number[] = [];
  const seen: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const body = `History bench follow-up ${i}`;
    const announced = events.next();
    const { updateId } = postIncidentUpdate(db, latest, { status: 'resolved', body }, { now: Date.now() });
    const posted = performance.now();
    const { freshAt, seenAt } = await waitUntilShown(events, announced, [
      [server.url + '/api/v2/incidents.json', updateId],
      [`${server.url}/incidents/${latest}`, body],
      [server.url + '/', body],
    ]);
    writes.push(Math.round(freshAt - posted));
    seen.push(Math.round(seenAt - posted));
  }
  events.close();
  // What synchronous=FULL costs a staff write: the same commit with the WAL synced (FULL, what every connection uses) and not (NORMAL).
  const commitMs = (synchronous: 'FULL' | 'NORMAL') => {
    db.$client.pragma(`synchronous = ${synchronous}`);
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = performance.now();
      postIncidentUpdate(db, latest, { status: 'resolved', body: `Commit timing ${synchronous} ${i}` }, { now: Date.now() });
      times.push(performance.now() - before);
    }
    return times;
  };
  const full = commitMs('FULL');
  const normal = commitMs('NORMAL');
  db.$client.pragma('synchronous = FULL');
  const history = await fetch(server.url + '/history/page/400');
  const peak = peakRssMb(server.pid);
  // Timed last, so the peak above is the one the history's own work reached.
  const report = await timeUptimeReport(server.url);
  const peakAfterReport = peakRssMb(server.pid);
  await server.stop();
  db.$client.close();
  tmp.cleanup();

  const p50 = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const warm = writes.slice(COLD_WRITES);
  console.log(
    `Start until listening: ${Math.round(server.startMs)} ms; until the first status page is served: ${Math.round(startToFirstPage)} ms (target <= 2000 ms).`,
  );
  const warmSeen = seen.slice(COLD_WRITES);
  console.log(
    `Write to fresh (the server announces incidents.json, the incident page and the status page re-rendered; checked to show the write): ` +
      `first ${COLD_WRITES} writes after start p50 ${p50(writes.slice(0, COLD_WRITES))} ms; the next ${warm.length} p50 ${p50(warm)} ms, max ${Math.max(...warm)} ms (target <= 100 ms).`,
  );
  console.log(
    `Write until a client has fetched all three and read the write in them: first ${COLD_WRITES} p50 ${p50(seen.slice(0, COLD_WRITES))} ms; ` +
      `the next ${warmSeen.length} p50 ${p50(warmSeen)} ms, max ${Math.max(...warmSeen)} ms.`,
  );
  const ms = (list: number[]) => (Math.round([...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]! * 100) / 100).toFixed(2);
  console.log(`Commit of one incident update (40 each): p50 ${ms(full)} ms with synchronous=FULL, ${ms(normal)} ms with NORMAL.`);
  console.log(`Old history page /history/page/400 answered ${history.status}.`);
  console.log(
    `Uptime report for ${COMPONENTS} components over ten years (${report.path}, rendered for each request): p50 ${report.p50} ms, max ${report.max} ms over ${REPORT_RUNS} runs, ${report.kb} kB, status ${report.status} (target <= 200 ms).`,
  );
  console.log(`Server peak RSS: ${peak} MB (target <= 300 MB); ${peakAfterReport} MB once the ten-year uptime reports were rendered too.`);
}
