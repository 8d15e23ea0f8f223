// `npm run bench -- pages`: fifty status pages of twenty components each from
// one server. How long it takes to start and to have every page rendered, its
// memory, how long a write made on one page takes to show there, and one
// page's throughput against a bare node:http server sending the same bytes.
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { createComponent } from '../src/lib/components/create-component';
import { addPage } from '../src/lib/pages/add-page';
import { openIncident } from '../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../src/lib/incidents/post-update';
import { createApiToken } from '../src/lib/auth/create-api-token';
import { fetchRaw, load, peakRssMb, percentile, startBare, startServer, table, tempDir } from './support';

const PAGES = Number(process.env.BENCH_PAGES ?? 50);
const COMPONENTS_PER_PAGE = 20;
const WRITES = 20;
const CONNECTIONS = 128;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const hostOf = (page: number) => `product-${page}.status.test`;

/** A GET or POST at the page a host names; resolves with the status and the body. */
function ask(
  url: string,
  host: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: { host, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The install: the demo on the default page, and PAGES products with their own components, one incident each in their history and one open. */
function makeInstall(databasePath: string): { token: string; openIncidents: string[] } {
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  const now = Date.now();
  seedDemo(db, now, 'Asia/Tokyo');
  const ctx = { now };
  const offDefault = db.$client.prepare(
    'DELETE FROM status_page_components WHERE component_id = ? AND page_id = (SELECT id FROM status_pages WHERE is_default = 1)',
  );
  const openIncidents: string[] = [];
  for (let page = 1; page <= PAGES; page++) {
    const componentIds = Array.from(
      { length: COMPONENTS_PER_PAGE },
      (_, i) => createComponent(db, { name: `Product ${page} service ${i + 1}` }, ctx).componentId,
    );
    // Each product's components are on its own page; the default page keeps the demo's.
    for (const id of componentIds) offDefault.run(id);
    addPage(db, { slug: `product-${page}`, name: `Product ${page}`, hosts: [hostOf(page)], componentIds }, ctx);
    const past = openIncident(
      db,
      {
        name: `Product ${page} was slow`,
        status: 'investigating',
        body: 'Pages took seconds to load.',
        components: [{ componentId: componentIds[0]!, status: 'degraded_performance' }],
      },
      { now: now - 3 * 86_400_000 },
    );
    postIncidentUpdate(
      db,
      past.incidentId,
      { status: 'resolved', body: 'Back to normal.', components: [{ componentId: componentIds[0]!, status: 'operational' }] },
      { now: now - 3 * 86_400_000 + 3_600_000 },
    );
    openIncidents.push(
      openIncident(
        db,
        {
          name: `Product ${page} sign-in errors`,
          status: 'investigating',
          body: 'Some sign-ins fail.',
          components: [{ componentId: componentIds[1]!, status: 'partial_outage' }],
        },
        ctx,
      ).incidentId,
    );
  }
  const { token } = createApiToken(db, { name: 'bench writer', scopes: ['incidents'] }, ctx);
  db.$client.close();
  return { token, openIncidents };
}

export async function benchStatusPages(): Promise<void> {
  const tmp = tempDir('shirase-bench-pages-');
  const databasePath = join(tmp.dir, 'bench.db');
  const { token, openIncidents } = makeInstall(databasePath);

  const started = performance.now();
  const server = await startServer(databasePath, { SEED_DEMO: 'never' });
  // Every page's status page answered: rendered at start, or on this request if its turn has not come.
  const ready = await Promise.all(Array.from({ length: PAGES }, (_, i) => ask(server.url + '/', hostOf(i + 1))));
  const readyMs = performance.now() - started;
  const wrong = ready.filter((r, i) => r.status !== 200 || !r.text.includes(`Product ${i + 1} sign-in errors`)).length;
  const rssReady = peakRssMb(server.pid);

  // A write on one page, through the API at that page's host, until that page's summary.json shows it.
  const fresh: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const page = 1 + ((i * 7) % PAGES);
    const text = `Update ${i}: the sign-in service is being restarted.`;
    const at = performance.now();
    const written = await ask(`${server.url}/api/v1/incidents/${openIncidents[page - 1]}/updates`, hostOf(page), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'identified', body: text, notify: false }),
    });
    if (written.status !== 201) throw new Error(`a write was answered ${written.status}`);
    while (!(await ask(server.url + '/api/v2/summary.json', hostOf(page))).text.includes(text)) await new Promise((r) => setTimeout(r, 2));
    fresh.push(performance.now() - at);
    // The next write after the other pages' renders of this one, as staff writes come seconds apart.
    await new Promise((r) => setTimeout(r, 500));
  }

  // One page's status page under load, against a bare server sending its bytes.
  const host = hostOf(1);
  const raw = await fetchRaw(server.url + '/', host);
  const file = join(tmp.dir, 'body');
  writeFileSync(file, raw.body);
  const manifestPath = join(tmp.dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ '/': { file, headers: raw.headers } }));
  const bare = await startBare(manifestPath);
  await load(server.url + '/', CONNECTIONS, WARM_UP_SECONDS, host);
  const shirase = await load(server.url + '/', CONNECTIONS, SECONDS, host);
  await load(bare.url + '/', CONNECTIONS, WARM_UP_SECONDS);
  const baseline = await load(bare.url + '/', CONNECTIONS, SECONDS);
  const rssPeak = peakRssMb(server.pid);
  bare.stop();
  await server.stop();
  tmp.cleanup();

  console.log(`\n${PAGES} status pages of ${COMPONENTS_PER_PAGE} components each (and the demo on the default page), one server:\n`);
  console.log(
    table([
      { measure: 'listening after', value: `${Math.round(server.startMs)} ms`, target: '' },
      { measure: `every page's status page answered after`, value: `${Math.round(readyMs)} ms (${wrong} wrong)`, target: '' },
      { measure: 'memory with every page rendered', value: `${rssReady} MB`, target: '' },
      { measure: 'memory at its peak (after the load)', value: `${rssPeak} MB`, target: '<= 400 MB' },
      {
        measure: `write on a page to its summary.json showing it (${WRITES} writes)`,
        value: `p50 ${percentile(fresh, 0.5).toFixed(0)} ms, max ${Math.max(...fresh).toFixed(0)} ms`,
        target: '<= 100 ms',
      },
      {
        measure: `one page's status page, ${CONNECTIONS} connections, ${SECONDS} s`,
        value: `${shirase.requestsPerSecond} req/s (bare node:http ${baseline.requestsPerSecond}, ratio ${(shirase.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}), ${shirase.errors + shirase.non2xx} errors`,
        target: '>= 0.8',
      },
    ]),
  );
}
