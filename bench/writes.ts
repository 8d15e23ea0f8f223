// `npm run bench -- writes`: how long a staff write through the API takes to
// answer, alone and while 200 connections read the public pages. A write is
// answered once the public pages show it (see dispatch.ts), so this is the
// time from "post" to "every reader can see it".
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { percentile, startHerd, startServer, table, tempDir } from './support';

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARM_UP_WRITES = 10;
const READERS = 200;
const READ_PATHS = ['/', '/api/v2/summary.json'];

/** Posts `count` updates one after another and returns each one's answer time in ms. */
async function postUpdates(url: string, token: string, incidentId: string, count: number, label: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 1; i <= count; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/incidents/${incidentId}/updates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'identified', body: `${label} update ${i}: still working on it.`, notify: false }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`a write was answered ${res.status}`);
    times.push(performance.now() - started);
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
  const alone = await postUpdates(server.url, token, incidentId, WRITES, 'Quiet');
  // The readers run in a process of their own, so a write's time is the server's, not this thread's wait behind the readers' answers.
  const herd = startHerd(
    READ_PATHS.map((p) => server.url + p),
    READERS,
    { ownProcess: true },
  );
  // Readers settle in before the writes are timed.
  await new Promise((r) => setTimeout(r, 2_000));
  const busy = await postUpdates(server.url, token, incidentId, WRITES, 'Busy');
  const reads = await herd.stop();
  await server.stop();
  tmp.cleanup();

  const readRate = reads.reduce((sum, r) => sum + r.requestsPerSecond, 0);
  const readErrors = reads.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  console.log(`\nStaff writes through the API (POST /api/v1/incidents/{id}/updates), answered once the public pages show them:\n`);
  console.log(table([row('no readers', alone, '-'), row(`${READERS} readers`, busy, `${readRate} req/s, ${readErrors} errors`)]));
  console.log('\nTargets: median write <= 15 ms with no readers, <= 30 ms with 200 connections reading.');
}
