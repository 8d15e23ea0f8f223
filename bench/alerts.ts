// `npm run bench -- alerts`: how soon an alert reaches staff, and how soon
// their approval reaches readers, while a herd reads the public pages.
// (a) Alertmanager's delivery arriving at /api/v1/integrations/alertmanager
// until the draft is on the admin dashboard; (b) publishing that draft (POST
// /api/v1/incidents/{id}/publish) until the incident is on the status page.
// ALERTS_FROM=alertmanager (the default) runs the real Alertmanager;
// ALERTS_FROM=payload posts its webhook payload from the fixture instead.
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { alertRules } from '../db/schema';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { createUser } from '../src/lib/auth/create-user';
import { type LoadResult, peakRssMb, percentile, startHerd, startServer, table, tempDir } from './support';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 30);
// Bounded: the herd shares two cores with the server and the measuring process.
const CONNECTIONS = Number(process.env.HERD_CONNECTIONS ?? 200);
const FROM = process.env.ALERTS_FROM === 'payload' ? 'payload' : 'alertmanager';
const SOURCES = {
  alertmanager: 'the real Alertmanager (Debian 0.25, group_wait 1 s), timed from when its delivery reaches a loopback relay in front of Shirase.',
  payload: 'the Alertmanager 0.25 webhook payload (tests/fixtures/alerts/alertmanager-firing.json), posted straight to Shirase.',
};

interface AlertTimings {
  delivery: number[];
  publish: number[];
}

export async function benchAlerts(): Promise<void> {
  const tmp = tempDir('shirase-alerts-');
  const databasePath = join(tmp.dir, 'alerts.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  seedDemo(db, Date.now(), 'Asia/Tokyo');
  // The demo's "API down" rule would take these service="api" alerts and name every draft after the API;
  // without it each draft carries its own alert's name, which is what the timer looks for.
  db.delete(alertRules).run();
  const ctx = { now: Date.now() };
  const alertsToken = createApiToken(db, { name: 'Alertmanager', scopes: ['alerts'] }, ctx).token;
  const publishToken = createApiToken(db, { name: 'Approver', scopes: ['incidents', 'read'] }, ctx).token;
  const staff = { email: 'bench-admin@example.com', password: 'correct horse battery staple' };
  await createUser(db, { ...staff, role: 'admin' }, ctx);
  db.$client.close();

  // The herd, Alertmanager and the measuring process all come from one loopback address here: the per-address cap is lifted for the bench.
  const server = await startServer(databasePath, { SEED_DEMO: 'never', MAX_CONNECTIONS_PER_ADDRESS: String(CONNECTIONS * 2 + 64) });
  const cookie = await signIn(server.url, staff);
  const herd = startHerd([server.url + '/', server.url + '/api/v2/summary.json'], CONNECTIONS);
  const timings = await measureInChild([server.url, alertsToken, publishToken, cookie, String(ALERTS), FROM]).catch(async (error: unknown) => {
    await herd.stop();
    await server.stop();
    throw error;
  });
  const [page, summary] = (await herd.stop()) as [LoadResult, LoadResult];
  const peak = peakRssMb(server.pid);
  await server.stop();
  tmp.cleanup();

  console.log(`\nAlerts in: ${ALERTS} alerts, one at a time, while ${CONNECTIONS} connections read / and /api/v2/summary.json.`);
  console.log(`Source: ${SOURCES[FROM]}\n`);
  const row = (what: string, samples: number[]) => {
    const p99 = percentile(samples, 0.99);
    return {
      measured: what,
      samples: samples.length,
      'p50 ms': percentile(samples, 0.5),
      'p99 ms': p99,
      'max ms': Math.max(...samples),
      'p99 <= 1 s': p99 <= 1_000 ? 'yes' : 'NO',
    };
  };
  console.log(
    table([row('(a) delivery -> draft on the admin dashboard', timings.delivery), row('(b) publish -> incident on the status page', timings.publish)]),
  );
  console.log('\nThe herd meanwhile:\n');
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
  console.log(
    `\nServer peak RSS: ${peak} MB. Load average at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (the timings are only as quiet as the machine).`,
  );
  console.log('Targets: each p99 at most 1 s, 0 errors, 0 non-2xx.');
}

async function signIn(url: string, staff: { email: string; password: string }): Promise<string> {
  const res = await fetch(url + '/admin/login', { method: 'POST', body: new URLSearchParams(staff), redirect: 'manual', headers: { origin: url } });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`signing in failed with ${res.status}`);
  return cookie;
}

/** The clock runs in a process of its own, so the herd's busy event loop does not delay it (as in update-writer.ts). */
function measureInChild(args: string[]): Promise<AlertTimings> {
  const child = fork('bench/alert-timer.ts', args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as AlertTimings));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the alert timer exited with ${code}`))));
  });
}
