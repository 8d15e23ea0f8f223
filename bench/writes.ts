// `npm run bench -- writes`: how long a staff write through the API takes to
// answer, alone and while 200 connections read the public pages (at half the
// rate they manage flat out, and flat out). A write is
// answered once it is committed; from then on, readers of the pages it changed
// wait for their new render rather than read them as they were (see
// PublicCache.expect), so whoever wrote reads it back.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { pacedHerd, percentile, startHerd, startServer, table, tempDir } from './support';

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARM_UP_WRITES = 10;
// Ten writes a second, far more than any incident team posts: each write is
// timed on its own, not behind the pages the one before it changed. The
// back-to-back row shows that case, for comparison.
const WRITE_EVERY_MS = 100;
const READERS = 200;
const READ_PATHS = ['/', '/api/v2/summary.json'];
// Readers settle in before the writes are timed.
const SETTLE_MS = 2_000;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

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
  const readUrls = READ_PATHS.map((p) => server.url + p);
  // Readers run in a process of their own, so a write's time is the server's, not this thread's wait behind the readers' answers.
  // Flat out first: each connection asks again as soon as it is answered, the two cores always full.
  const flatOutHerd = startHerd(readUrls, READERS, { ownProcess: true });
  await settle();
  const flatOut = await postUpdates(server.url, token, incidentId, WRITES, 'Crowded', WRITE_EVERY_MS);
  const flatReads = await flatOutHerd.stop();
  const flatRate = flatReads.reduce((sum, r) => sum + r.requestsPerSecond, 0);
  const flatErrors = flatReads.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  // Then readers arriving at random moments at half that rate: a heavy audience on a machine with room to
  // answer it, where a write's time is the server's work and not a queue at saturation.
  const pacedRate = Math.round(flatRate / 2);
  const pacedSeconds = SETTLE_MS / 1_000 + (WRITES * WRITE_EVERY_MS) / 1_000 + 5;
  const pacedReads = pacedHerd(readUrls, READERS, pacedRate, pacedSeconds);
  await settle();
  const busy = await postUpdates(server.url, token, incidentId, WRITES, 'Busy', WRITE_EVERY_MS);
  const paced = await pacedReads;
  await server.stop();
  tmp.cleanup();

  console.log(`\nStaff writes through the API (POST /api/v1/incidents/{id}/updates), answered once committed, the pages they changed rendering behind them:\n`);
  console.log(
    table([
      row(`no readers, one every ${WRITE_EVERY_MS} ms`, alone, '-'),
      row(`${READERS} readers at ${pacedRate} req/s, one every ${WRITE_EVERY_MS} ms`, busy, `p99 ${paced.p99} ms, ${paced.errors + paced.non2xx} errors`),
      row('no readers, back to back', backToBack, '-'),
      row(`${READERS} readers flat out, one every ${WRITE_EVERY_MS} ms`, flatOut, `${flatRate} req/s, ${flatErrors} errors`),
    ]),
  );
  console.log(
    `\nReaders at ${pacedRate} a second are half of what the ${READERS} connections got flat out; they arrive at random moments (paced-herd.ts), each timed from when it was due. Flat out, the cores are always full and a write waits its turn in a queue.`,
  );
  console.log(`\nTargets: median write <= 15 ms with no readers, <= 30 ms with ${READERS} connections reading at half the flat-out rate.`);
}
