import { makeRepresentation, type Representation, type RepresentationInput } from './representation';
import type { Rendered } from './render-request';

/**
 * Browsers keep a page ten seconds; shared caches (nginx, a CDN) two, then
 * serve it stale while they fetch it again, and for a day if the origin
 * fails. Open pages learn of a change sooner through /live.json and fetch
 * the page under a new address (see public/live.js).
 */
const PUBLIC_CACHE_CONTROL = 'public, max-age=10, s-maxage=2, stale-while-revalidate=30, stale-if-error=86400';
const NOT_FOUND_CACHE_CONTROL = 'public, max-age=60';
/** A browser may keep a private page's answer, asking again each time; no shared cache may. */
const VIEWERS_ONLY_CACHE_CONTROL = 'private, no-cache';
/**
 * nginx counts a copy's life in whole seconds and keeps it until the second
 * after s-maxage has passed: up to a second longer than asked. Told one
 * second less in its own header (which it keeps to itself), it keeps a page
 * at most s-maxage, so a change shows through it within s-maxage.
 */
const NGINX_EXPIRES = { 'x-accel-expires': '1' };
/** How long a time-sensitive page may be shown before it is rendered again with a new "now". */
const TIME_SENSITIVE_MAX_AGE_MS = 60_000;

interface Entry {
  rep: Representation;
  generation: number;
  renderedAt: number;
  timeSensitive: boolean;
  /** Requests lately, halved at every change: a page read since the last change (1 or more) is rendered again at the next. */
  hits: number;
  /** How long its last render took, to render cheap popular pages first. */
  renderMs: number;
  /** When it was last read, on the cache's own counter: the least recently read page is evicted first. */
  usedAt: number;
}

/**
 * Renders a key for a generation (the change it is rendered after, which the
 * page may name). `urgent` when someone waits for it: a reader, or the writer
 * of the change; other renders (a round after a change, the static copy) may
 * wait their turn behind them.
 */
export type Renderer = (key: string, generation: number, urgent: boolean, hurry: Hurry) => Promise<RenderedPage>;

/** Set by a renderer that lets a render waiting its turn go ahead (see RenderPool.render). */
export interface Hurry {
  now?: () => void;
}

/** A page as a renderer gives it: its status, type and body, and the headers that describe the body. */
type RenderedPage = Omit<Rendered, 'headers'> & { headers?: Record<string, string> };

/** At most this many pages beyond the always-hot ones are rendered again after a change. */
const MAX_POPULAR = 16;
/** The longest a reader waits for a page a write changed (see expect); then it gets the page as it was. */
const READER_WAIT_MS = 2_000;
/** A page left behind this long by more popular ones is rendered next, whatever its popularity. */
const OVERDUE_MS = 500;

/**
 * Public representations, rendered once per change and served from memory.
 *
 * A change puts the hot pages, and any others readers have been asking for,
 * in a queue that one loop renders one at a time (renders share a thread, so
 * running them side by side would only make the first wait for the rest):
 * next is the page most requested per millisecond of rendering, unless one
 * has waited over OVERDUE_MS. Until its turn a queued page is served as it
 * was, so a herd of readers never waits on a render and sees the change
 * within one turn of the queue. A page outside the queue is rendered on its
 * next request, which waits for that one shared render, so it is never older
 * than a change the server has seen. `invalidate` resolves once every queued
 * page shows the change; a write through this server is answered only then
 * (see shirase-server.ts), so the writer and anyone after them read their
 * write. If rendering fails, the last good body is served.
 */
export class PublicCache {
  private entries = new Map<string, Entry>();
  /** Renders under way; `rendered` settles when the renderer has answered, before compression. */
  private inFlight = new Map<string, { generation: number; job: Promise<Representation>; rendered: Promise<unknown>; hurry: Hurry }>();
  /** Pages taken from the queue whose new body is not in the cache yet. */
  private landing = new Set<string>();
  private generation = 0;
  /** Pages waiting to be rendered again, with when they joined: served stale until their turn. */
  private queue = new Map<string, number>();
  private rendering: Promise<void> | undefined;
  private waiters: { generation: number; resolve: () => void }[] = [];
  /** Whether the round under way was started by a write through this server (see invalidate). */
  private hurried = false;
  /** Pages a write changed, on their way, with the generation they are awaited for: their readers wait for them (see expect). */
  private awaited = new Map<string, number>();
  private reads = 0;

  constructor(
    private readonly render: Renderer,
    private readonly options: {
      maxEntries: number;
      now: () => number;
      onError: (key: string, error: unknown) => void;
      /** How long a reader waits for a page a write changed before getting it as it was (READER_WAIT_MS; tests shorten it). */
      readerWaitMs?: number;
      /** Told when a reader waited that long and got the page as it was: a render thread held up (metrics count it). */
      onWaitedOut?: (key: string) => void;
      /** A private page's, for its viewers only: no shared cache (a CDN, nginx) may keep its answers. */
      viewersOnly?: boolean;
      /** Headers sent with every response for this key (security, CORS). */
      headersFor: (key: string) => Record<string, string>;
      /** Whether a key's page changes with the clock as well as with data. */
      timeSensitive: (key: string) => boolean;
    },
  ) {}

  get currentGeneration(): number {
    return this.generation;
  }

  /** How many pages are held. */
  get size(): number {
    return this.entries.size;
  }

  /** How many pages wait to be rendered again after a change. */
  get queued(): number {
    return this.queue.size + this.landing.size;
  }

  /**
   * Marks everything stale and queues the hot keys and the pages readers
   * have been asking for. Resolves when all of them show this change.
   * `urgent` when a write through this server made the change: the round's
   * renders then go ahead of other pages' rounds.
   */
  invalidate(hot: readonly string[] = [], options: { urgent?: boolean } = {}): Promise<void> {
    const generation = ++this.generation;
    this.hurried ||= options.urgent === true;
    const joined = performance.now();
    for (const key of this.keysForChange(hot)) if (!this.queue.has(key)) this.queue.set(key, joined);
    // Popularity fades by half with every change, so it follows what readers want now.
    for (const e of this.entries.values()) e.hits /= 2;
    const done = new Promise<void>((resolve) => this.waiters.push({ generation, resolve }));
    this.rendering ??= this.drainQueue().finally(() => {
      this.rendering = undefined;
    });
    return done;
  }

  /** The pages a change renders again: the hot ones, then those readers have been asking for, most read first. */
  keysForChange(hot: readonly string[]): string[] {
    const popular = [...this.entries].filter(([key, e]) => e.hits >= 1 && !hot.includes(key)).sort((a, b) => b[1].hits - a[1].hits);
    return [...hot, ...popular.slice(0, MAX_POPULAR).map(([key]) => key)];
  }

  /**
   * A write through this server changed these pages: they are rendered now,
   * ahead of their turn, and until each is in, its readers wait for it rather
   * than read it as it was before the write. Whoever wrote reads back what
   * was written, and the render they wait on is already under way (see
   * withPagesAfterWrites in render-request.ts).
   */
  expect(keys: readonly string[]): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry?.generation === this.generation) continue;
      this.awaited.set(key, this.generation);
      this.queue.delete(key);
      // Joins a render already under way for this change.
      void this.renderInRound(key, true);
    }
  }

  private representationInput(key: string, { status, contentType, body, headers }: RenderedPage): RepresentationInput {
    return {
      status,
      contentType,
      body,
      // A refusal (a stranger's sign-in page, a 401) is kept by nobody, the browser included.
      cacheControl: this.options.viewersOnly
        ? status === 200
          ? VIEWERS_ONLY_CACHE_CONTROL
          : 'private, no-store'
        : status === 200
          ? PUBLIC_CACHE_CONTROL
          : NOT_FOUND_CACHE_CONTROL,
      // What the page said of itself (its language) travels with it; the server's own headers win.
      headers: { ...headers, ...this.options.headersFor(key), ...(status === 200 && !this.options.viewersOnly ? NGINX_EXPIRES : {}) },
    };
  }

  private nextInQueue(): string | undefined {
    const now = performance.now();
    let best: string | undefined;
    let bestScore = -Infinity;
    for (const [key, joined] of this.queue) {
      const e = this.entries.get(key);
      const waited = now - joined;
      // Overdue pages go first, longest waiting first; the rest by requests per millisecond of rendering.
      const score = waited > OVERDUE_MS ? 1e9 + waited : e ? e.hits / Math.max(1, e.renderMs) : 0;
      if (score > bestScore) {
        best = key;
        bestScore = score;
      }
    }
    return best;
  }

  private async drainQueue(): Promise<void> {
    for (let key = this.nextInQueue(); key !== undefined; key = this.nextInQueue()) {
      this.queue.delete(key);
      const entry = this.entries.get(key);
      if (entry && entry.generation === this.generation) continue;
      // The next page renders while this one is compressed on the thread pool.
      await this.renderInRound(key, this.hurried);
    }
    this.hurried = false;
    this.settleWaiters();
  }

  /**
   * Renders a page for the current change; the change's waiters count it as
   * pending until it is in the cache. Resolves once it is rendered or has
   * failed (its compression may still be under way).
   */
  private renderInRound(key: string, urgent: boolean): Promise<void> {
    this.landing.add(key);
    const job = this.refresh(key, this.options.timeSensitive(key), { urgent });
    // On failure the last good body stays in service; the page is rendered again on its next request.
    job
      .catch(() => undefined)
      .finally(() => {
        this.landing.delete(key);
        this.settleWaiters();
      });
    return (this.inFlight.get(key)?.rendered ?? job).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Waiting for its turn, or rendered and not yet in the cache, and not changed by a write here: served as it was until then. */
  private servedAsItWas(key: string): boolean {
    return (this.queue.has(key) || this.landing.has(key)) && !this.awaited.has(key);
  }

  /** Resolves the waits of every change that all queued pages now show. */
  private settleWaiters(): void {
    let oldest = this.generation;
    for (const key of [...this.queue.keys(), ...this.landing]) oldest = Math.min(oldest, this.entries.get(key)?.generation ?? -1);
    this.waiters = this.waiters.filter((w) => {
      if (w.generation > oldest) return true;
      w.resolve();
      return false;
    });
  }

  /** The representation if it can be served without waiting: the path nearly every request takes. */
  peek(key: string): Representation | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== this.generation && !this.servedAsItWas(key)) return undefined;
    if (entry.timeSensitive && this.options.now() - entry.renderedAt > TIME_SENSITIVE_MAX_AGE_MS) return undefined;
    entry.hits++;
    entry.usedAt = ++this.reads;
    return entry.rep;
  }

  async get(key: string, timeSensitive: boolean): Promise<Representation> {
    const entry = this.entries.get(key);
    if (entry && (entry.generation === this.generation || this.servedAsItWas(key))) {
      if (entry.timeSensitive && this.options.now() - entry.renderedAt > TIME_SENSITIVE_MAX_AGE_MS) {
        // Only the clock moved: serve what we have and render anew behind it.
        void this.refresh(key, timeSensitive).catch(() => {});
      }
      entry.hits++;
      entry.usedAt = ++this.reads;
      return entry.rep;
    }
    try {
      const fresh = this.refresh(key, timeSensitive, { urgent: true });
      // A reader of a page a write changed waits for it, but not for ever: a render thread held up by other
      // work must not hold the status page up with it. Past the wait it gets the page as it was.
      if (!entry || !this.awaited.has(key)) return await fresh;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<Representation>(
        (resolve) =>
          (timer = setTimeout(() => {
            this.options.onWaitedOut?.(key);
            resolve(entry.rep);
          }, this.options.readerWaitMs ?? READER_WAIT_MS)),
      );
      return await Promise.race([fresh, late]).finally(() => clearTimeout(timer));
    } catch (error) {
      if (entry) return entry.rep;
      throw error;
    }
  }

  /**
   * A page's body as readers get it now, for the static copy. A page rendered
   * for the copy is kept only while there is room, as the least recently
   * read, so copying the whole site never pushes readers' pages out.
   */
  async currentBody(key: string): Promise<Buffer> {
    const entry = this.entries.get(key);
    if (entry && entry.generation === this.generation && !(entry.timeSensitive && this.options.now() - entry.renderedAt > TIME_SENSITIVE_MAX_AGE_MS)) {
      return entry.rep.identity;
    }
    return (await this.refresh(key, this.options.timeSensitive(key), { unread: true })).identity;
  }

  private refresh(key: string, timeSensitive: boolean, options: { unread?: boolean; urgent?: boolean } = {}): Promise<Representation> {
    const running = this.inFlight.get(key);
    if (running) {
      if (running.generation === this.generation) {
        // Someone waits for it now: it goes ahead of renders nobody waits for.
        if (options.urgent) running.hurry.now?.();
        return running.job;
      }
      // That render began before the latest change; wait for it, then render again.
      return running.job.catch(() => undefined).then(() => this.refresh(key, timeSensitive, options));
    }
    const generation = this.generation;
    const renderedAt = this.options.now();
    const started = performance.now();
    const hurry: Hurry = {};
    const rendering = this.render(key, generation, options.urgent === true, hurry);
    const job = rendering
      .then(async (page) => {
        const renderMs = performance.now() - started;
        if (page.status >= 500) throw new Error(`rendering ${key} answered ${page.status}`);
        const rep = await makeRepresentation(this.representationInput(key, page));
        const known = this.entries.get(key);
        if (!options.unread || known || this.entries.size < this.options.maxEntries) {
          // A page nobody has read yet (rendered for the static copy) counts as read longest ago.
          const usedAt = options.unread ? (known?.usedAt ?? 0) : ++this.reads;
          this.entries.set(key, { rep, generation, renderedAt, timeSensitive, hits: known?.hits ?? 0, renderMs, usedAt });
          this.evict();
        }
        return rep;
      })
      .catch((error: unknown) => {
        this.options.onError(key, error);
        throw error;
      })
      .finally(() => {
        this.inFlight.delete(key);
        // In, or failed (its readers then get the last good page): either way nobody waits for it any longer.
        if ((this.awaited.get(key) ?? Infinity) <= generation) this.awaited.delete(key);
      });
    this.inFlight.set(key, { generation, job, rendered: rendering, hurry });
    return job;
  }

  private evict(): void {
    // A scan rather than an ordered structure: eviction is rare, and reading (the hot path) then costs one counter.
    while (this.entries.size > this.options.maxEntries) {
      let oldest: string | undefined;
      let oldestAt = Infinity;
      for (const [key, e] of this.entries) {
        if (e.usedAt < oldestAt) {
          oldest = key;
          oldestAt = e.usedAt;
        }
      }
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
