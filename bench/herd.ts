// `npm run bench -- herd`: the outage-morning herd. 1,000 connections for 60 s
// against the status page and summary.json while staff post an update every
// second; errors, non-2xx, p99, the server's peak memory and each update's delay.
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { describeDelays, load, peakRssMb, startServer, startUpdateWriter, table, tempDir } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.HERD_CONNECTIONS ?? 1_000);

export async function benchHerd(): Promise<void> {
  const tmp = tempDir('shirase-herd-');
  const databasePath = join(tmp.dir, 'herd.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  seedDemo(db, Date.now(), 'Asia/Tokyo');
  const { incidentId } = openIncident(db, { name: 'Herd benchmark incident', status: 'investigating', body: 'Everyone is reloading.' }, { now: Date.now() });
  // A thousand readers arrive from one loopback address here, where in life they come from a thousand: the per-address cap is lifted for the bench.
  const server = await startServer(databasePath, { SEED_DEMO: 'never', MAX_CONNECTIONS_PER_ADDRESS: String(CONNECTIONS * 2) });
  const writer = await startUpdateWriter(databasePath, incidentId, server.url);
  const [page, summary] = await Promise.all([
    load(server.url + '/', CONNECTIONS / 2, SECONDS),
    load(server.url + '/api/v2/summary.json', CONNECTIONS / 2, SECONDS),
  ]);
  const delays = await writer.stop();
  const peak = peakRssMb(server.pid);
  await server.stop();
  db.$client.close();
  tmp.cleanup();
  console.log(`\nHerd: ${CONNECTIONS} connections for ${SECONDS} s, half on the status page and half on summary.json:\n`);
  console.log(
    table([
      { path: '/', requests: page.total, 'req/s': page.requestsPerSecond, 'p99 ms': page.p99, errors: page.errors, non2xx: page.non2xx },
      {
        path: '/api/v2/summary.json',
        requests: summary.total,
        'req/s': summary.requestsPerSecond,
        'p99 ms': summary.p99,
        errors: summary.errors,
        non2xx: summary.non2xx,
      },
    ]),
  );
  console.log(`\n${describeDelays(delays)}`);
  console.log(`Server peak RSS: ${peak} MB. Targets: 0 errors, 0 non-2xx, every update visible within 1 s, peak RSS under 300 MB.`);
}
