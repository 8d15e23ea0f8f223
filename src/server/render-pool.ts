import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Config } from '../lib/config';
import { CLIENT_ADDRESS_HEADER, LIVE_VERSION_HEADER, NOW_HEADER, RENDER_HEADER, type RenderWorkerData } from './render-protocol';
import type { Log } from '../lib/log';

export interface Rendered {
  status: number;
  contentType: string;
  /** Headers the page set that say something about the body (Content-Language, Link), kept with it in the cache. */
  headers: Record<string, string>;
  body: Buffer;
}

interface RenderThread {
  worker: Worker;
  port: number;
  /** Requests sent and not yet answered: the next request goes to the least busy thread. */
  busy: number;
}

// Headers that describe one hop of a connection, not the request itself.
/** What Astro reads instead of the Host header for the address a form's Origin is checked against. */
const FORWARDED_HOST_HEADERS = ['x-forwarded-host', 'x-forwarded-port'];

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** Headers the cache makes itself for every representation, or that belong to one exchange only. */
const NOT_KEPT = new Set([...HOP_BY_HOP, 'content-type', 'content-length', 'content-encoding', 'date', 'etag', 'cache-control', 'vary', 'set-cookie']);

function pageHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && !NOT_KEPT.has(name) && !name.startsWith('x-astro')) kept[name] = value;
  return kept;
}

/**
 * The threads that run Astro: every page render and every staff or API
 * request. The thread that accepts connections only serves bytes from memory
 * and hands the rest over here, so a slow render, a password hash or a large
 * form never holds up a reader. Each thread has its own database connection
 * (WAL lets them read while another writes) and a private loopback listener
 * that answers only requests carrying this process's key.
 */
export class RenderPool {
  // Idle connections are dropped here well before the threads' own 60 s limit, so a request never lands on one being closed.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });
  private threads: RenderThread[] = [];
  private closing = false;

  private constructor(
    private readonly data: RenderWorkerData,
    private readonly now: () => number,
    private readonly log: Log,
  ) {}

  static async start(options: { config: Config; distDir: string; now: () => number; log: Log }): Promise<RenderPool> {
    const key = randomBytes(24).toString('base64url');
    const pool = new RenderPool({ databasePath: options.config.databasePath, config: options.config, distDir: options.distDir, renderKey: key }, options.now, options.log);
    pool.threads = await Promise.all(Array.from({ length: options.config.renderThreads }, () => pool.spawn()));
    return pool;
  }

  /** Starts a thread; one that dies later is replaced, so a crash costs the requests it held and nothing after. */
  private async spawn(): Promise<RenderThread> {
    const worker = new Worker(new URL('./render-worker.mjs', import.meta.url), { workerData: this.data });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { port: number }) => resolve(m.port));
      worker.once('error', reject);
    });
    const thread: RenderThread = { worker, port, busy: 0 };
    worker.on('error', (error) => this.log(`[shirase] a render thread failed: ${error.stack ?? error.message}`, 'error'));
    worker.once('exit', (code) => {
      this.threads = this.threads.filter((t) => t !== thread);
      if (this.closing) return;
      this.log(`[shirase] a render thread stopped (exit code ${code}); starting another`, 'warn');
      this.spawn().then(
        (replacement) => (this.closing ? void replacement.worker.terminate() : this.threads.push(replacement)),
        (error: unknown) => this.log(`[shirase] a render thread could not be started: ${error instanceof Error ? error.message : String(error)}`, 'error'),
      );
    });
    return thread;
  }

  /** The threads' ids, for operations and tests. */
  get threadIds(): number[] {
    return this.threads.map((t) => t.worker.threadId);
  }

  /** Requests sent to the threads and not yet answered. */
  get inFlight(): number {
    return this.threads.reduce((sum, t) => sum + t.busy, 0);
  }

  /** The loopback ports the threads listen on (each answers only requests carrying this process's key). */
  get ports(): number[] {
    return this.threads.map((t) => t.port);
  }

  /** Stops one thread as a crash would; the pool starts another. */
  async terminate(threadId: number): Promise<void> {
    await this.threads.find((t) => t.worker.threadId === threadId)?.worker.terminate();
  }

  private pick(): RenderThread {
    // Between a crash and its replacement there may be no thread: the cache then serves what it has.
    if (this.threads.length === 0) throw new Error('no render thread is running just now');
    let best = this.threads[0]!;
    for (const t of this.threads) if (t.busy < best.busy) best = t;
    return best;
  }

  /** Renders a public path (a GET with no cookies), as of the live-update version given, and returns the whole body. */
  render(path: string, liveVersion?: string): Promise<Rendered> {
    let thread: RenderThread;
    try {
      thread = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    thread.busy++;
    return new Promise<Rendered>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: thread.port, path, agent: this.agent, headers: { [RENDER_HEADER]: this.data.renderKey, [NOW_HEADER]: String(this.now()), ...(liveVersion ? { [LIVE_VERSION_HEADER]: liveVersion } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 500, contentType: String(res.headers['content-type'] ?? 'text/html; charset=utf-8'), headers: pageHeaders(res.headers), body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    }).finally(() => thread.busy--);
  }

  /**
   * Hands a request, whose body the serving thread has already read, to a
   * render thread and relays the answer as it comes. The client's address
   * travels in a header the threads trust only with the key. `beforeAnswer`
   * runs once the thread has answered and before the client sees a byte of
   * it (by then anything the request wrote is committed); the answer waits
   * for it.
   */
  proxy(req: IncomingMessage, res: ServerResponse, relay: { body: Buffer; client: string; fromProxy: boolean; beforeAnswer?: () => Promise<void> }): Promise<void> {
    const thread = this.pick();
    thread.busy++;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && name !== RENDER_HEADER && name !== NOW_HEADER && name !== CLIENT_ADDRESS_HEADER && name !== LIVE_VERSION_HEADER && name !== 'x-forwarded-for') headers[name] = value;
    }
    // The host a proxy says the browser asked for is believed only from a proxy TRUST_PROXY names.
    if (!relay.fromProxy) for (const name of FORWARDED_HOST_HEADERS) delete headers[name];
    headers['content-length'] = String(relay.body.length);
    headers[CLIENT_ADDRESS_HEADER] = relay.client;
    headers[RENDER_HEADER] = this.data.renderKey;
    headers[NOW_HEADER] = String(this.now());
    return new Promise<void>((resolve, reject) => {
      const upstream = request({ host: '127.0.0.1', port: thread.port, method: req.method, path: req.url, headers, agent: this.agent }, async (answer) => {
        await relay.beforeAnswer?.().catch(() => {});
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      });
      upstream.on('error', reject);
      // A client that goes away mid-request takes the relayed request with it.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(relay.body);
    }).finally(() => thread.busy--);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.agent.destroy();
    await Promise.all(
      this.threads.map(({ worker }) => {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.postMessage('close');
        return exited;
      }),
    );
  }
}
