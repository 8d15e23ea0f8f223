import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import type { Log } from '../lib/log';
import type { Hurry } from './public-cache';
import { createRenderer, pageRequest, renderedPage, type Render, type RenderAnswer, type RenderRequest, type Rendered } from './render-request';

/** Background renders handed to each thread at once: one rendering, one waiting on its port, so the thread never idles between them. */
const BACKGROUND_AT_ONCE = 2;

/** What a render thread is started with. */
export interface RenderThreadData {
  config: Config;
  distDir: string;
}

/** The messages between the serving thread and a render thread. */
export type ToThread = { id: number; request: RenderRequest } | 'close';
export type FromThread = { id: number; answer: RenderAnswer } | { id: number; error: string } | 'ready';

interface RenderThread {
  worker: Worker;
  /** Requests sent and not yet answered, by message id: the next request goes to the least busy thread. */
  pending: Map<number, { resolve: (answer: RenderAnswer) => void; reject: (error: Error) => void }>;
}

/**
 * Where Astro runs: every page render and every staff or API request. The
 * thread that accepts connections only serves bytes from memory and hands
 * the rest over here as a message, so a slow render, a password hash or a
 * large form never holds up a reader. Each thread has its own database
 * connection (WAL lets them read while another writes). With RENDER_THREADS=0
 * the serving thread renders itself, with the same function (tests do this:
 * it starts in a fraction of the time).
 */
export class RenderPool {
  private threads: RenderThread[] = [];
  private inProcess: Render | undefined;
  private rendering = new Set<Promise<RenderAnswer>>();
  private nextId = 0;
  private closing = false;
  /** Renders nobody waits for (other pages' rounds after a change), held here and handed over BACKGROUND_AT_ONCE at a time. */
  private background: { request: RenderRequest; resolve: (answer: RenderAnswer) => void; reject: (error: Error) => void }[] = [];
  private backgroundRunning = 0;

  private constructor(
    private readonly data: RenderThreadData,
    private readonly log: Log,
  ) {}

  static async start(options: { db: Db; config: Config; distDir: string; log: Log }): Promise<RenderPool> {
    const pool = new RenderPool({ config: options.config, distDir: options.distDir }, options.log);
    if (options.config.renderThreads === 0) pool.inProcess = await createRenderer({ db: options.db, environment: options.config, distDir: options.distDir });
    else pool.threads = await Promise.all(Array.from({ length: options.config.renderThreads }, () => pool.spawn()));
    return pool;
  }

  /** Starts a thread; one that dies later is replaced, so a crash costs the requests it held and nothing after. */
  private async spawn(): Promise<RenderThread> {
    // From source, render-worker.mjs registers the TypeScript loader first; in dist it is the bundled thread itself.
    const worker = new Worker(new URL('./render-worker.mjs', import.meta.url), { workerData: this.data });
    const thread: RenderThread = { worker, pending: new Map() };
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.on('message', (message: FromThread) => {
      if (message === 'ready') return;
      const waiting = thread.pending.get(message.id);
      thread.pending.delete(message.id);
      if ('answer' in message) waiting?.resolve(message.answer);
      else waiting?.reject(new Error(message.error));
    });
    worker.on('error', (error) => this.log(`[shirase] a render thread failed: ${error.stack ?? error.message}`, 'error'));
    worker.once('exit', (code) => {
      this.threads = this.threads.filter((t) => t !== thread);
      for (const { reject } of thread.pending.values()) reject(new Error('the render thread stopped before answering'));
      thread.pending.clear();
      if (this.closing) return;
      this.log(`[shirase] a render thread stopped (exit code ${code}); starting another`, 'warn');
      this.spawn().then(
        (replacement) => (this.closing ? void replacement.worker.terminate() : this.threads.push(replacement)),
        (error: unknown) => this.log(`[shirase] a render thread could not be started: ${error instanceof Error ? error.message : String(error)}`, 'error'),
      );
    });
    return thread;
  }

  /** The threads' ids, for operations and tests (none when the serving thread renders itself). */
  get threadIds(): number[] {
    return this.threads.map((t) => t.worker.threadId);
  }

  /** Whether anything can render just now: a thread, or the serving thread itself. */
  get running(): number {
    return this.inProcess ? 1 : this.threads.length;
  }

  /** Requests handed over and not yet answered. */
  get inFlight(): number {
    return this.rendering.size + this.threads.reduce((sum, t) => sum + t.pending.size, 0);
  }

  /** Stops one thread as a crash would; the pool starts another. */
  async terminate(threadId: number): Promise<void> {
    await this.threads.find((t) => t.worker.threadId === threadId)?.worker.terminate();
  }

  /**
   * Renders one request on the least busy thread. A `background` render
   * (nobody waits for it) waits its turn here, so a reader's page, a staff
   * screen or a write is never queued behind a long round of them: with fifty
   * status pages, a change renders fifty pages nobody has asked for yet.
   */
  render(request: RenderRequest, options: { background?: boolean; hurry?: Hurry } = {}): Promise<RenderAnswer> {
    if (!options.background) return this.renderNow(request);
    return new Promise((resolve, reject) => {
      const waiting = { request, resolve, reject };
      this.background.push(waiting);
      // Someone came to wait for it after all: it leaves the line and is handed over at once.
      if (options.hurry)
        options.hurry.now = () => {
          const at = this.background.indexOf(waiting);
          if (at < 0) return;
          this.background.splice(at, 1);
          this.renderNow(request).then(resolve, reject);
        };
      this.nextInBackground();
    });
  }

  private nextInBackground(): void {
    while (this.backgroundRunning < BACKGROUND_AT_ONCE * Math.max(1, this.running) && this.background.length > 0) {
      const { request, resolve, reject } = this.background.shift()!;
      this.backgroundRunning++;
      this.renderNow(request)
        .then(resolve, reject)
        .finally(() => {
          this.backgroundRunning--;
          this.nextInBackground();
        });
    }
  }

  private renderNow(request: RenderRequest): Promise<RenderAnswer> {
    if (this.closing) return Promise.reject(new Error('the server is closing'));
    if (this.inProcess) {
      // Remembered until done, so closing waits for it before the database connection goes.
      const rendering = this.inProcess(request);
      this.rendering.add(rendering);
      return rendering.finally(() => this.rendering.delete(rendering));
    }
    // Between a crash and its replacement there may be no thread: the cache then serves what it has.
    if (this.threads.length === 0) return Promise.reject(new Error('no render thread is running just now'));
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.pending.size < thread.pending.size) thread = t;
    const id = ++this.nextId;
    return new Promise<RenderAnswer>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, request } satisfies ToThread);
    });
  }

  /** Renders a public path of a status page (a GET with no cookies, in the page's language unless the path names one), as of the live-update version given. */
  async renderPage(path: string, now: number, liveVersion?: string, page?: string, options: { background?: boolean; hurry?: Hurry } = {}): Promise<Rendered> {
    return renderedPage(await this.render(pageRequest(path, now, liveVersion, page), options));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled(this.rendering);
    await Promise.all(
      this.threads.map(({ worker }) => {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.postMessage('close' satisfies ToThread);
        return exited;
      }),
    );
  }
}
