// `npm run bench` (or `-- public`): the public pages under 128 connections, against plain node:http sending the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { describeDelays, fetchRaw, load, peakRssMb, startBare, startServer, startUpdateWriter, table, tempDir, type LoadResult } from './support';

const CONNECTIONS = 128;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const PATHS = ['/', '/api/v2/summary.json'];
export async function benchPublic(): Promise<void> {
  const tmp = tempDir('shirase-bench-');
  const databasePath = join(tmp.dir, 'bench.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  seedDemo(db, Date.now(), 'Asia/Tokyo');
  const { incidentId } = openIncident(db, { name: 'Benchmark incident', status: 'investigating', body: 'Opened for the benchmark.' }, { now: Date.now() });
  const server = await startServer(databasePath, { SEED_DEMO: 'never' });

  // The bare server gets exactly the bytes Shirase sends for each path.
  const manifest: Record<string, { file: string; headers: Record<string, string> }> = {};
  for (const [i, path] of PATHS.entries()) {
    const raw = await fetchRaw(server.url + path);
    const file = join(tmp.dir, `body-${i}`);
    writeFileSync(file, raw.body);
    manifest[path] = { file, headers: raw.headers };
  }
  const manifestPath = join(tmp.dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const bare = await startBare(manifestPath);

  // While Shirase is under load, staff post an update every second from another
  // process; each one's delay until summary.json shows it is recorded.
  const writer = await startUpdateWriter(databasePath, incidentId, server.url);

  const rows: Record<string, string | number>[] = [];
  for (const path of PATHS) {
    // Each server gets the same unrecorded warm-up, so neither is measured while its code is still being compiled.
    await load(server.url + path, CONNECTIONS, WARM_UP_SECONDS);
    const shirase: LoadResult = await load(server.url + path, CONNECTIONS, SECONDS);
    await load(bare.url + path, CONNECTIONS, WARM_UP_SECONDS);
    const baseline: LoadResult = await load(bare.url + path, CONNECTIONS, SECONDS);
    rows.push(
      {
        path,
        server: 'shirase',
        'req/s': shirase.requestsPerSecond,
        'p50 ms': shirase.p50,
        'p99 ms': shirase.p99,
        errors: shirase.errors,
        non2xx: shirase.non2xx,
        bytes: manifest[path]!.headers['content-encoding'] ?? 'identity',
      },
      {
        path,
        server: 'bare node:http',
        'req/s': baseline.requestsPerSecond,
        'p50 ms': baseline.p50,
        'p99 ms': baseline.p99,
        errors: baseline.errors,
        non2xx: baseline.non2xx,
        bytes: 'same',
      },
      {
        path,
        server: 'ratio',
        'req/s': (shirase.requestsPerSecond / baseline.requestsPerSecond).toFixed(2),
        'p50 ms': '',
        'p99 ms': '',
        errors: '',
        non2xx: '',
        bytes: '',
      },
    );
  }
  const delays = await writer.stop();
  const peak = peakRssMb(server.pid);
  await server.stop();
  bare.stop();
  db.$client.close();
  tmp.cleanup();

  console.log(`\nPublic pages, ${CONNECTIONS} connections, ${SECONDS} s each, bodies as browsers ask for them (br/gzip):\n`);
  console.log(table(rows));
  console.log(`\n${describeDelays(delays)}`);
  console.log(`Server peak RSS: ${peak} MB.`);
  console.log('Targets: ratio >= 0.8 of bare node:http, p99 <= 25 ms, 0 errors.');
}
