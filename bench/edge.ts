// `npm run bench -- edge`: Shirase behind Debian's nginx with the shipped
// deploy/nginx/shirase.conf, on the demo data. Three measurements:
// 1. 1,000 connections on the status page and summary.json through nginx
//    while staff post an update every second: the share nginx answered from
//    its cache (from $upstream_cache_status in its access log) and
//    throughput against the same nginx serving the same bytes as static
//    files, each flat out (closed loop), in alternating turns; then readers arriving at half that
//    rate over the same 1,000 connections (open loop, see paced-herd.ts):
//    the time each waited, p99; errors in all three, and each update's time
//    until visible through the proxy;
// 2. the origin killed with SIGKILL during the same herd: errors readers see
//    while it is down, and, restarted, how long until updates show again;
// 3. 20,000 open pages asking through nginx as public/live.js does in poll
//    mode (a long poll, held until the next change), spread over several
//    processes each with its own loopback source address: how long until
//    every one holds the new page after an update, and the origin's memory.
// The load generators share the machine's cores with nginx and the origin.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { migrateDatabase, openDatabase } from '../db/open';
import { seedDemo } from '../src/lib/demo/seed-demo';
import { openIncident } from '../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../src/lib/incidents/post-update';
import { NGINX, startNginx } from '../tests/support/nginx';
import { freePort } from '../tests/support/test-server';
import {
  BROWSER_HEADERS,
  describeDelays,
  pacedHerd,
  peakRssMb,
  percentile,
  startHerd,
  startServer,
  startUpdateWriter,
  table,
  tempDir,
  type LoadResult,
  type RunningServer,
} from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** The flat-out herds on the cache and on the static files take turns of about this long. */
const TURN_SECONDS = 5;
const CONNECTIONS = Number(process.env.HERD_CONNECTIONS ?? 1_000);
/** How long the origin stays down in the second measurement. */
const DOWN_SECONDS = Number(process.env.EDGE_DOWN_SECONDS ?? 5);
const LIVE_PAGES = Number(process.env.EDGE_LIVE_PAGES ?? 20_000);
/** How long the open pages are watched waiting, past the end of at least one of the origin's 25-second rounds. */
const WAITING_SECONDS = 30;
/** Pages per load process: each holds one connection per page, well under the 20,000 open files a process may have here. */
const PAGES_PER_PROCESS = 5_000;
const PATHS = ['/', '/api/v2/summary.json'];
/** The open-loop readers arrive at this share of the rate the closed-loop herd reached through the cache. */
const PACED_SHARE = 0.5;
/** What nginx answered without asking the origin. */
const FROM_CACHE = new Set(['HIT', 'STALE', 'UPDATING']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The intervals open pages poll at, read from public/live.js so the simulated pages poll as real ones do. */
function liveTiming(): { pollMs: number; jitterMs: number } {
  const source = readFileSync('public/live.js', 'utf8');
  const read = (name: string) => {
    const m = new RegExp(`const ${name} = ([\\d_]+);`).exec(source);
    if (!m) throw new Error(`public/live.js no longer sets ${name} to a number; the edge benchmark reads its polling intervals from there`);
    return Number(m[1]!.replaceAll('_', ''));
  };
  return { pollMs: read('POLL_MS'), jitterMs: read('POLL_JITTER_MS') };
}

/** A GET as a browser sends it, with the bytes as they came (still compressed). */
function getRaw(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { ...BROWSER_HEADERS, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

function decoded(res: { headers: Record<string, string | string[] | undefined>; body: Buffer }): string {
  return (res.headers['content-encoding'] === 'br' ? brotliDecompressSync(res.body) : res.body).toString();
}

/** Headers nginx writes itself, keeps to itself, or that belong to one answer only. */
const OWN_HEADERS = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-type',
  'server',
  'x-cache-status',
  'x-accel-expires',
  'etag',
  'last-modified',
  'accept-ranges',
]);

/**
 * A second server in the same nginx sending the page's bytes and headers
 * from files: what nginx does at best, for the cached site to be compared with.
 */
async function staticServer(dir: string, url: string): Promise<{ port: number; config: string }> {
  const port = await freePort();
  const locations: string[] = [];
  for (const [i, path] of PATHS.entries()) {
    const res = await getRaw(url + path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    writeFileSync(join(dir, `${i}.body`), res.body);
    const headers = Object.entries(res.headers)
      .filter(([name, value]) => !OWN_HEADERS.has(name) && typeof value === 'string' && !/["$\\]/.test(value))
      .map(([name, value]) => `add_header ${name} "${value as string}" always;`);
    locations.push(`location = ${path} { default_type "${res.headers['content-type'] as string}"; try_files /${i}.body =404; ${headers.join(' ')} }`);
  }
  return { port, config: `server {\n  listen 127.0.0.1:${port} reuseport;\n  root ${dir};\n  ${locations.join('\n  ')}\n}` };
}

/** Load results of one or more turns of a herd on all paths: requests a second per turn, on average. */
function summarise(results: LoadResult[], turns = 1): { requests: number; rps: number; p99: number; errors: number } {
  return {
    requests: results.reduce((n, r) => n + r.total, 0),
    rps: Math.round(results.reduce((n, r) => n + r.requestsPerSecond, 0) / turns),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
  };
}

/**
 * The access log the bench adds to nginx's configuration: which server in it
 * answered (the cached site or the static files), how nginx answered each
 * request ($upstream_cache_status) and how long it took itself.
 */
const EDGE_LOG_FORMAT = "log_format edge '$server_port $upstream_cache_status $request_time $request_uri';";

/** How far nginx has written its log so far (bytes): where the next measurement's lines begin. */
function logEnd(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The log's lines from byte `from` to `to` (or its end): only those bytes are
 * read, since a long run's log holds millions of lines and reading it all
 * would take the shared cores from what is being measured.
 */
function readEdgeLog(path: string, from: number, to?: number): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const end = to ?? fstatSync(fd).size;
    const bytes = Buffer.alloc(Math.max(0, end - from));
    readSync(fd, bytes, 0, bytes.length, from);
    return bytes.toString('utf8').split('\n').filter(Boolean);
  } finally {
    closeSync(fd);
  }
}

/** How the cached site on `port` answered the herd's paths in these lines of the bench's log, and nginx's own p99 time for them (ms). */
function cacheStatuses(lines: string[], port: string): { counts: Map<string, number>; nginxP99: number } {
  const counts = new Map<string, number>();
  const times: number[] = [];
  for (const line of lines) {
    const [server, status, seconds, uri] = line.split(' ');
    if (server !== port || !uri || !PATHS.includes(uri)) continue;
    counts.set(status!, (counts.get(status!) ?? 0) + 1);
    times.push(Number(seconds) * 1_000);
  }
  return { counts, nginxP99: percentile(times, 0.99) };
}

function describeStatuses(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
}

/** CPU time a process has used so far, in ms (Linux; 0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** nginx's processes: those named nginx whose parent is this one or one of them. */
function nginxPids(): number[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return [{ pid: Number(d), comm: /\((.*)\)/.exec(stat)?.[1], ppid: Number(stat.split(') ')[1]!.split(' ')[1]) }];
      } catch {
        return [];
      }
    });
  const masters = all.filter((p) => p.comm === 'nginx' && p.ppid === process.pid).map((p) => p.pid);
  return all.filter((p) => masters.includes(p.pid) || masters.includes(p.ppid)).map((p) => p.pid);
}

/** The whole machine's busy and total CPU time so far, in ticks (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  // idle and iowait
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function visibleThrough(url: string, text: string, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    const res = await getRaw(url).catch(() => undefined);
    if (res?.status === 200 && decoded(res).includes(text)) return true;
    await sleep(10);
  }
  return false;
}

interface PagesReport {
  pages: number;
  /** When each page that did first held the new page (wall clock, ms). */
  updatedAt: number[];
  got: string[];
  /** A few pages that never held the new page, and what they were waiting for. */
  behind: string[];
  errors: number;
}

export async function benchEdge(): Promise<void> {
  if (!existsSync(NGINX)) {
    console.error(
      `nginx is not installed (looked for ${NGINX}). Install Debian's package (as .ci/run does): sudo apt-get install nginx; or set NGINX_BIN to where it is.`,
    );
    process.exit(1);
  }
  const { pollMs, jitterMs } = liveTiming();
  const tmp = tempDir('shirase-edge-');
  const databasePath = join(tmp.dir, 'edge.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  seedDemo(db, Date.now(), 'Asia/Tokyo');
  const { incidentId } = openIncident(db, { name: 'Edge benchmark incident', status: 'investigating', body: 'Everyone is reloading.' }, { now: Date.now() });
  const copyDir = join(tmp.dir, 'copy');
  const staticDir = join(tmp.dir, 'static');
  const edgeLog = join(tmp.dir, 'edge-access.log');
  mkdirSync(staticDir);
  // The origin's own caps would see nginx as one client: it is a trusted proxy, as the README asks.
  // No EXPORT_DIR: the herd's pages are in nginx's cache, and the copy's own work would load the shared cores (edge.test.ts covers the copy).
  const env = { SEED_DEMO: 'never', TRUST_PROXY: 'loopback', LIVE_MODE: 'poll' };
  let server: RunningServer = await startServer(databasePath, env);
  const port = new URL(server.url).port;
  const children: ChildProcess[] = [];
  // nginx passes the origin's bodies on as they are: the files hold the bytes the origin sends.
  const compare = await staticServer(staticDir, server.url);
  const nginx = await startNginx({
    upstreamPort: Number(port),
    copyDir,
    // Two workers (one per core here), each allowed most of the 20,000 open files a process may hold: the live pages need 20,000 connections.
    workers: { processes: 2, connections: 19_000, rlimitNofile: 20_000 },
    bufferLog: true,
    extraHttp: `${EDGE_LOG_FORMAT}\naccess_log ${edgeLog} edge buffer=256k flush=1s;\n${compare.config}`,
  });
  const staticUrl = `http://127.0.0.1:${compare.port}`;
  try {
    for (const path of PATHS) await getRaw(nginx.url + path);
    // How long a shared cache may keep summary.json: an update may take that and a second to show through nginx (U's target).
    const maxAge = Number(/s-maxage=(\d+)/.exec(String((await getRaw(nginx.url + '/api/v2/summary.json')).headers['cache-control']))?.[1] ?? NaN);
    const visibleLimitMs = maxAge * 1_000 + 1_000;

    // 1. The herd through the cache, staff posting every second.
    const writer = await startUpdateWriter(databasePath, incidentId, nginx.url);
    await sleep(1_500);
    // The same herd on the same bytes as files, staff still posting, so both share the machine with the same
    // work; in turns, because the machine's speed here drifts by a fifth over a minute, and one run after the
    // other would compare the drift as much as nginx's cache.
    const logBefore = logEnd(edgeLog);
    const turns = Math.max(1, Math.round(SECONDS / TURN_SECONDS));
    const proxiedRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    for (let turn = 0; turn < turns; turn++) {
      for (const [base, runs] of [
        [nginx.url, proxiedRuns],
        [staticUrl, bareRuns],
      ] as const) {
        const turnHerd = startHerd(
          PATHS.map((p) => base + p),
          CONNECTIONS,
        );
        await sleep((SECONDS / turns) * 1_000);
        runs.push(...(await turnHerd.stop()));
      }
    }
    const proxied = summarise(proxiedRuns, turns);
    const bare = summarise(bareRuns, turns);
    const ratio = proxied.rps / bare.rps;
    await sleep(1_500);
    const { counts: statuses, nginxP99 } = cacheStatuses(readEdgeLog(edgeLog, logBefore), new URL(nginx.url).port);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const cached = [...statuses].filter(([s]) => FROM_CACHE.has(s)).reduce((a, [, n]) => a + n, 0);
    const share = (100 * cached) / total;
    // Readers arriving at half that rate, through the cache, staff still posting: the time each one waits.
    await sleep(1_500);
    const pacedRate = Math.round(proxied.rps * PACED_SHARE);
    const paced = await pacedHerd(
      PATHS.map((p) => nginx.url + p),
      CONNECTIONS,
      pacedRate,
      SECONDS,
    );
    const delays = await writer.stop();

    // 2. The origin killed during the herd, then started again on the same port.
    await sleep(1_500);
    const logBeforeKill = logEnd(edgeLog);
    const herd = startHerd(
      PATHS.map((p) => nginx.url + p),
      CONNECTIONS,
    );
    await sleep(2_000);
    process.kill(server.pid, 'SIGKILL');
    while (!processGone(server.pid)) await sleep(10);
    await sleep(DOWN_SECONDS * 1_000);
    // Written while it is down, as the CLI or a second process would.
    const { updateId: whileDown } = postIncidentUpdate(
      db,
      incidentId,
      { status: 'identified', body: 'Written while the origin was down.' },
      { now: Date.now() },
    );
    const restarted = performance.now();
    server = await startServer(databasePath, { ...env, PORT: port });
    const upMs = performance.now() - restarted;
    const flowing = await visibleThrough(nginx.url + '/api/v2/summary.json', whileDown, 30_000);
    const flowMs = performance.now() - restarted;
    await sleep(2_000);
    const killed = summarise(await herd.stop());
    await sleep(1_500);
    const { counts: killStatuses } = cacheStatuses(readEdgeLog(edgeLog, logBeforeKill), new URL(nginx.url).port);

    // 3. 20,000 open pages polling through the cache.
    const processes = Math.ceil(LIVE_PAGES / PAGES_PER_PROCESS);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < processes; i++) {
      const pages = Math.min(PAGES_PER_PROCESS, LIVE_PAGES - i * PAGES_PER_PROCESS);
      const child = fork(
        'bench/live-pages.ts',
        [JSON.stringify({ url: nginx.url, localAddress: `127.0.0.${i + 2}`, pages, pollMs, jitterMs, rampMs: 3_000 })],
        {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      children.push(child);
      ready.push(
        new Promise((resolve, reject) => {
          child.on('message', (m: { ready?: true }) => m.ready && resolve());
          child.once('exit', (code) => reject(new Error(`a live-pages process exited with ${code}`)));
        }),
      );
    }
    const openedAt = performance.now();
    await Promise.all(ready);
    const openMs = performance.now() - openedAt;
    // A few rounds with every page open, as it would be when staff post.
    await sleep(3 * (pollMs + jitterMs));
    const cpuPids = { nginx: nginxPids(), pages: children.map((c) => c.pid!), origin: [server.pid] };
    /** CPU time so far per part (ms), the machine's ticks, and the end of nginx's log: two of these bound a window. */
    const snapshot = () => ({
      at: Date.now(),
      parts: Object.fromEntries(Object.entries(cpuPids).map(([k, pids]) => [k, pids.reduce((n, pid) => n + cpuMs(pid), 0)])) as Record<
        keyof typeof cpuPids,
        number
      >,
      machine: machineCpu(),
      log: logEnd(edgeLog),
    });
    type Snapshot = ReturnType<typeof snapshot>;
    const usage = (from: Snapshot, to: Snapshot) => {
      const seconds = (to.at - from.at) / 1_000;
      const cores = (k: keyof typeof cpuPids) => ((to.parts[k] - from.parts[k]) / 1_000 / seconds).toFixed(2);
      const busy = (100 * (to.machine.busy - from.machine.busy)) / (to.machine.total - from.machine.total);
      const lines = readEdgeLog(edgeLog, from.log, to.log);
      const asked = lines.filter((line) => !FROM_CACHE.has(line.split(' ')[1]!)).length;
      return `nginx answered ${lines.length} requests, ${asked} of them by asking the origin; cores used: nginx ${cores('nginx')}, the page processes ${cores('pages')}, the origin ${cores('origin')}; the machine ${busy.toFixed(0)}% busy`;
    };
    // Every page waiting: what open pages cost between changes, over more than a round (25 s), whose end every page hears of.
    const waitingFrom = snapshot();
    await sleep(WAITING_SECONDS * 1_000);
    const waitingTo = snapshot();
    // nginx writes its log each second.
    await sleep(1_100);
    waitingTo.log = logEnd(edgeLog);
    for (const child of children) child.send('arm');
    await sleep(500);
    // Asked of the origin itself, held there until the change is announced: what is left of L is nginx's and the pages' part.
    type Doc = { version: string; round: number };
    const before = JSON.parse((await getRaw(server.url + '/live.json')).body.toString()) as Doc;
    const announced = (async () => {
      // Asked as nginx asks, round after round until the answer names a new version.
      for (let round = before.round; ;) {
        const doc = JSON.parse((await getRaw(`${server.url}/live.json?since=${before.version}&round=${round}`, { prefer: 'wait=25' })).body.toString()) as Doc;
        if (doc.version !== before.version) return Date.now();
        round = doc.round;
      }
    })();
    await sleep(100);
    const liveText = `Live pages check ${Date.now()}`;
    const burstFrom = snapshot();
    const postedAt = burstFrom.at;
    postIncidentUpdate(db, incidentId, { status: 'monitoring', body: liveText }, { now: postedAt });
    const announcedMs = (await announced) - postedAt;
    await sleep(Math.max(0, 3_000 - (Date.now() - postedAt)));
    const burstTo = snapshot();
    // nginx writes its log each second: the lines of those 3 s (and a few after) are in a second later.
    await sleep(1_100);
    burstTo.log = logEnd(edgeLog);
    await sleep(Math.max(0, Number(process.env.EDGE_LIVE_WAIT_MS ?? 10_000) - (Date.now() - postedAt)));
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise<PagesReport>((resolve) => {
            child.once('message', (m) => resolve(m as PagesReport));
            child.send('report');
          }),
      ),
    );
    const times = reports.flatMap((r) => r.updatedAt.map((t) => t - postedAt));
    const updated = times.length;
    const liveErrors = reports.reduce((n, r) => n + r.errors, 0);
    const within = updated === LIVE_PAGES ? Math.max(...times) : NaN;
    // What the pages fetched is the new page: one version, one ETag, and the update in its body.
    const got = [...new Set(reports.flatMap((r) => r.got))];
    const [version, etag] = got[0]?.split(' ') ?? [];
    const page = version ? await getRaw(`${nginx.url}/?v=${encodeURIComponent(version)}`) : undefined;
    const genuine = got.length === 1 && page !== undefined && page.headers.etag === etag && decoded(page).includes(liveText);
    const rss = peakRssMb(server.pid);

    const nginxVersion = spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
    console.log(`\nEdge: ${nginxVersion} with deploy/nginx/shirase.conf (2 workers) in front of one Shirase process; the load generators share the 2 cores.\n`);
    console.log(
      `1. ${CONNECTIONS} connections for ${SECONDS} s each run on ${PATHS.join(' and ')} (the flat-out runs in ${turns} alternating turns each), an update posted every second:\n`,
    );
    console.log(
      table([
        { run: 'nginx, cached, flat out', requests: proxied.requests, 'req/s': proxied.rps, 'p99 ms': proxied.p99, 'errors+non-2xx': proxied.errors },
        { run: 'nginx, static files, flat out', requests: bare.requests, 'req/s': bare.rps, 'p99 ms': bare.p99, 'errors+non-2xx': bare.errors },
        {
          run: `nginx, cached, ${pacedRate} arriving a second`,
          requests: paced.total,
          'req/s': paced.requestsPerSecond,
          'p99 ms': paced.p99,
          'errors+non-2xx': paced.errors + paced.non2xx,
        },
      ]),
    );
    console.log(
      `\nnginx's access log for the cached flat-out run: ${describeStatuses(statuses)}; ${share.toFixed(2)}% from the cache; nginx's own time per answer ($request_time) p99 ${nginxP99} ms.`,
    );
    console.log(
      `Flat out, each connection asks again as soon as it is answered: the p99 there is the load generator's own queue (1,000 connections wait about 1,000 / req/s each, in one process sharing the 2 cores).`,
    );
    console.log(
      `The third run is readers arriving at random moments at ${PACED_SHARE * 100}% of the cached flat-out rate over the same ${CONNECTIONS} connections, each timed from when it was due (paced-herd.ts): p50 ${paced.p50} ms, p99 ${paced.p99} ms, max ${paced.max} ms${paced.failures.length > 0 ? `; failures: ${paced.failures.join(', ')}` : ''}.`,
    );
    console.log(`${describeDelays(delays, visibleLimitMs)} (All three runs; through nginx, polled every 10 ms; s-maxage ${maxAge} s.)`);
    console.log(
      `\n2. The origin killed (SIGKILL) 2 s into the same herd, down ${DOWN_SECONDS} s, then started again: ${killed.requests} requests, ${killed.errors} errors or non-2xx, p99 ${killed.p99} ms; nginx's log: ${describeStatuses(killStatuses)}.`,
    );
    console.log(
      `   Restarted origin listening after ${Math.round(upMs)} ms; the update written while it was down visible through nginx ${flowing ? `${Math.round(flowMs)} ms after the restart began` : 'NOT within 30 s'}.`,
    );
    console.log(
      `\n3. ${LIVE_PAGES} open pages in ${processes} processes (127.0.0.2…127.0.0.${processes + 1}), asking /live.json?since=…&round=… as public/live.js does (held until the next change or the round's end; after an answer without news, again in ${pollMs}–${pollMs + jitterMs} ms); all open and looked once after ${Math.round(openMs)} ms.`,
    );
    console.log(
      `   For ${WAITING_SECONDS} s with every page waiting (rounds end every 25 s): ${usage(waitingFrom, waitingTo)} (one question per round, and one for every 1,024 pages asking about a key nginx has no copy of yet).`,
    );
    console.log(`   In the 3 s after the write: ${usage(burstFrom, burstTo)} (everyone's work included).`);
    console.log(
      `   After an update: the origin announced it after ${announcedMs} ms; pages held the new page after min ${Math.min(...times)} ms, p50 ${percentile(times, 0.5)} ms, p90 ${percentile(times, 0.9)} ms, p99 ${percentile(times, 0.99)} ms.`,
    );
    console.log(
      `   ${updated} of ${LIVE_PAGES} held the new page within the ${Number(process.env.EDGE_LIVE_WAIT_MS ?? 10_000)} ms waited, the last ${Number.isNaN(within) ? 'never' : `${within} ms after the write`}; ${genuine ? 'every page fetched the same new page, with the update in it' : `NOT one new page with the update (${got.length} versions)`}; ${liveErrors} errors. Origin peak RSS ${rss} MB.`,
    );
    const behind = reports.flatMap((r) => r.behind);
    if (behind.length > 0) console.log(`   Pages that did not: ${behind.join('; ')}.`);
    console.log(`\nTargets: S ≥ 99, R ≥ 0.8, p99 ≤ 25 ms, E = 0, D = 0, U ≤ max-age + 1,000 ms (${visibleLimitMs} ms), L ≤ 3,000.`);
    const errors = proxied.errors + paced.errors + paced.non2xx;
    const maxDelay = Math.max(...delays);
    console.log(
      `edge: cache share ${share.toFixed(2)}%, ratio ${ratio.toFixed(2)} of static nginx, p99 ${paced.p99} ms, errors ${errors}, errors while origin down ${killed.errors}, update visible max ${maxDelay} ms, ${LIVE_PAGES} live pages updated within ${Number.isNaN(within) ? 'never' : within} ms`,
    );
  } finally {
    for (const child of children) child.kill();
    await nginx.stop();
    await server.stop();
    db.$client.close();
    tmp.cleanup();
  }
}
