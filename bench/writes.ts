// `npm run bench -- writes`: how long a staff write through the API takes to
// answer, alone and while 200 connections read the public pages. A write is
// answered once it is committed; from then on, readers of the pages it changed
// wait for their new render rather than read them as they were (see
// PublicCache.expect), so whoever wrote reads it back.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { percentile, startHerd, startServer, table, tempDir } from './support';

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARM_UP_WRITES = 10;
// Ten writes a second, far more than any incident team posts: each write is
// timed on its own, not behind the pages the one before it changed. The
// back-to-back row shows that case, for comparison.
const WRITE_EVERY_MS = 100;
const READERS = 200;
const READ_PATHS = ['/', '/api/v2/summary.json'];

/** One POST on a kept-alive connection; resolves with the status once the whole answer is in. */
function post(agent: Agent, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Posts `count` updates one after another, each `everyMs` after the one
 * before it began (or as soon as it is answered, if later), and returns each
 * one's answer time in ms. The client is node:http on one kept-alive connection, as curl or an
 * API client would be: fetch adds about 3 ms of its own per request on this
 * machine, which is the client's time, not the server's.
 */
async function postUpdates(url: string, token: string, incidentId: string, count: number, label: string, everyMs = 0): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let lastStart = 0;
  try {
    for (let i = 1; i <= count; i++) {
      const body = JSON.stringify({ status: 'identified', body: `${label} update ${i}: still working on it.`, notify: false });
      const due = (times.length > 0 ? lastStart : performance.now()) + everyMs;
      if (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
      const started = performance.now();
      lastStart = started;
      const status = await post(agent, `${url}/api/v1/incidents/${incidentId}/updates`, token, body);
      if (status !== 201) throw new Error(`a write was answered ${status}`);
      times.push(performance.now() - started);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

const row = (case_: string, times: number[], readers: string) => ({
  case: case_,
  writes: times.length,
  'p50 ms': percentile(times, 0.5).toFixed(1),
  'p90 ms': percentile(times, 0.9).toFixed(1),
  'max ms': Math.max(...times).toFixed(1),
  readers,
});

export async function benchWrites(): Promise<void> {
  const tmp = tempDir('shirase-bench-writes-');
  const databasePath = join(tmp.dir, 'bench.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  seedDemo(db, Date.now(), 'Asia/Tokyo');
  const { incidentId } = openIncident(db, { name: 'Benchmark incident', status: 'investigating', body: 'Opened for the benchmark.' }, { now: Date.now() });
  const { token } = createApiToken(db, { name: 'bench writer', scopes: ['incidents'] }, { now: Date.now() });
  db.$client.close();
  const server = await startServer(databasePath, { SEED_DEMO: 'never' });

  await postUpdates(server.url, token, incidentId, WARM_UP_WRITES, 'Warm-up');
  const alone = await postUpdates(server.url, token, incidentId, WRITES, 'Quiet', WRITE_EVERY_MS);
  const backToBack = await postUpdates(server.url, token, incidentId, WRITES, 'Hurried');
  // The readers run in a process of their own, so a write's time is the server's, not this thread's wait behind the readers' answers.
  const herd = startHerd(
    READ_PATHS.map((p) => server.url + p),
    READERS,
    { ownProcess: true },
  );
  // Readers settle in before the writes are timed.
  await new Promise((r) => setTimeout(r, 2_000));
  const busy = await postUpdates(server.url, token, incidentId, WRITES, 'Busy', WRITE_EVERY_MS);
  const reads = await herd.stop();
  await server.stop();
  tmp.cleanup();

  const readRate = reads.reduce((sum, r) => sum + r.requestsPerSecond, 0);
  const readErrors = reads.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  console.log(`\nStaff writes through the API (POST /api/v1/incidents/{id}/updates), answered once committed, the pages they changed rendering behind them:\n`);
  console.log(
    table([
      row(`no readers, one every ${WRITE_EVERY_MS} ms`, alone, '-'),
      row(`${READERS} readers, one every ${WRITE_EVERY_MS} ms`, busy, `${readRate} req/s, ${readErrors} errors`),
      row('no readers, back to back', backToBack, '-'),
    ]),
  );
  console.log('\nTargets: median write <= 15 ms with no readers, <= 30 ms with 200 connections reading.');
}
