import { fileURLToPath } from 'node:url';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { PacedResult } from './paced-herd';

export interface RunningServer {
  url: string;
  pid: number;
  startMs: number;
  stop(): Promise<void>;
}

/** Starts the real server process on a database file, as `npm start` would (with its two malloc arenas, as the unit and image set too). */
export function startServer(databasePath: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { MALLOC_ARENA_MAX: '2', ...process.env, DATABASE_PATH: databasePath, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const live = /is live at (http:\/\/\S+?) /.exec(output);
      if (live) {
        resolve({
          url: live[1]!,
          pid: child.pid!,
          startMs: performance.now() - started,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** Peak resident memory of a process so far, in MB (Linux). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Browsers ask for compressed bodies; so does the benchmark. */
export const BROWSER_HEADERS = { 'accept-encoding': 'br, gzip' };

/** Flat-out load on one URL; `host` names the status page asked for, as a browser at that name would. */
export async function load(url: string, connections: number, seconds: number, host?: string): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds, headers: { ...BROWSER_HEADERS, ...(host ? { host } : {}) }, timeout: 10 });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  };
}

export function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ');
  return [line(keys), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join('\n');
}

/**
 * Starts staff posting an update every second from another process (see
 * update-writer.ts) and resolves once the first is visible, so the writer's
 * own start-up is over before load begins; `stop` returns how long each
 * update took to show in summary.json.
 */
export async function startUpdateWriter(databasePath: string, incidentId: string, serverUrl: string): Promise<{ stop(): Promise<number[]> }> {
  const child = fork('bench/update-writer.ts', [databasePath, incidentId, serverUrl], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  const delays = new Promise<number[]>((resolve, reject) => {
    child.on('message', (m) => (m === 'ready' ? ready() : resolve(m as number[])));
    child.once('exit', (code) => reject(new Error(`the update writer exited with ${code}`)));
  });
  await started;
  return {
    stop: () => {
      child.send('stop');
      return delays;
    },
  };
}

/** How long updates took to show, against the longest they may take (1 s from the origin itself; through a cache, its max-age and a second). */
export function describeDelays(delays: number[], limitMs = 1_000): string {
  const sorted = [...delays].sort((a, b) => a - b);
  const late = sorted.filter((d) => d > limitMs).length;
  return `Updates posted during the run: ${delays.length}; visible in summary.json after p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms; ${late} later than ${limitMs / 1_000} s (target: none).`;
}

/**
 * Readers hammering `urls` (connections shared between them) until `stop`,
 * which returns what each saw: the herd a measurement runs under.
 */
export function startHerd(urls: string[], connections: number, options: { ownProcess?: boolean } = {}): { stop(): Promise<LoadResult[]> } {
  if (options.ownProcess) return startHerdProcess(urls, connections);
  const each = Math.max(1, Math.floor(connections / urls.length));
  const runs = urls.map((url) => {
    let instance: autocannon.Instance | undefined;
    const result = new Promise<autocannon.Result>((resolve, reject) => {
      // Longer than any measurement: `stop` ends it.
      instance = autocannon({ url, connections: each, duration: 3_600, headers: BROWSER_HEADERS, timeout: 10 }, (error, r) =>
        error ? reject(error) : resolve(r),
      );
    });
    return { stop: () => instance!.stop(), result };
  });
  return {
    stop: async () => {
      for (const run of runs) run.stop();
      const results = await Promise.all(runs.map((r) => r.result));
      return results.map((r) => ({
        requestsPerSecond: Math.round(r.requests.average),
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        total: r.requests.total,
      }));
    },
  };
}

/**
 * The same herd in a process of its own (bench/herd-process.ts), so a
 * measurement made in this process is not delayed by the readers' answers
 * queueing ahead of it on this thread.
 */
function startHerdProcess(urls: string[], connections: number): { stop(): Promise<LoadResult[]> } {
  const child = fork(fileURLToPath(new URL('./herd-process.ts', import.meta.url)), [String(connections), ...urls], { execArgv: ['--import', 'tsx'] });
  const results = new Promise<LoadResult[]>((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult[]));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the reader herd stopped (exit code ${code}) before reporting`)));
  });
  return {
    stop: () => {
      child.send('stop');
      return results;
    },
  };
}

/** The value below which `share` (0..1) of the sorted samples fall, nearest rank. */
export function percentile(samples: number[], share: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? NaN;
}

/** Readers arriving at `rate` a second for `seconds` over `connections` connections, from a process of their own (paced-herd.ts). */
export function pacedHerd(urls: string[], connections: number, rate: number, seconds: number): Promise<PacedResult> {
  const child = fork(fileURLToPath(new URL('./paced-herd.ts', import.meta.url)), [JSON.stringify({ urls, connections, rate, seconds })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as PacedResult));
    child.once('exit', (code) => reject(new Error(`the paced herd exited with ${code}`)));
  });
}

const PER_RESPONSE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Fetches a path as a browser would (at the status page `host` names, if
 * given) and keeps the exact bytes and headers that came back, all but those
 * node:http writes on every response by itself.
 */
export function fetchRaw(url: string, host?: string): Promise<{ body: Buffer; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { ...BROWSER_HEADERS, ...(host ? { host } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string' && !PER_RESPONSE_HEADERS.has(name)) headers[name] = value;
        }
        resolve({ body: Buffer.concat(chunks), headers });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** A bare node:http server (bare-server.ts) sending the bytes a manifest names for each path. */
export function startBare(manifestPath: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts', manifestPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /at (http:\/\/\S+)/.exec(chunk.toString());
      if (m) resolve({ url: m[1]!, stop: () => child.kill() });
    });
  });
}
