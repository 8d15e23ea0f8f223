import { makeRepresentation, type Representation } from './representation';

export const PUBLIC_CACHE_CONTROL = 'public, max-age=10, stale-while-revalidate=30, stale-if-error=86400';
export const NOT_FOUND_CACHE_CONTROL = 'public, max-age=60';
/** How long a time-sensitive page may be shown before it is rendered again with a new "now". */
export const TIME_SENSITIVE_MAX_AGE_MS = 60_000;

interface Entry {
  rep: Representation;
  generation: number;
  renderedAt: number;
  timeSensitive: boolean;
}

export type Renderer = (key: string) => Promise<{ status: number; contentType: string; body: Buffer }>;

/**
 * Public representations, rendered once per change and served from memory.
 * A data change makes every entry stale: hot routes are rendered again at
 * once, the rest on their next request, and a request for a stale entry waits
 * for that one shared render so a reader never sees data older than a write
 * that has been acknowledged. If rendering fails, the last good body is served.
 */
export class PublicCache {
  private entries = new Map<string, Entry>();
  private inFlight = new Map<string, { generation: number; job: Promise<Representation> }>();
  private generation = 0;

  constructor(
    private readonly render: Renderer,
    private readonly options: {
      maxEntries: number;
      now: () => number;
      onError: (key: string, error: unknown) => void;
      /** Headers sent with every response for this key (security, CORS). */
      headersFor: (key: string) => Record<string, string>;
      /** Whether a key's page changes with the clock as well as with data. */
      timeSensitive: (key: string) => boolean;
    },
  ) {}

  get currentGeneration(): number {
    return this.generation;
  }

  /**
   * Marks everything stale and renders the given keys again, one after
   * another in the order given: renders share one thread, so running them
   * side by side would only make the first one wait for all the others. A
   * request for any other page is rendered alongside, without waiting its turn.
   */
  invalidate(eager: readonly string[] = []): void {
    const generation = ++this.generation;
    void (async () => {
      for (const key of eager) {
        if (generation !== this.generation) return; // a newer change started its own round
        await this.refresh(key, this.options.timeSensitive(key)).catch(() => {});
      }
    })();
  }

  /** The representation if it is current, without waiting: the path nearly every request takes. */
  peek(key: string): Representation | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.generation !== this.generation) return undefined;
    if (entry.timeSensitive && this.options.now() - entry.renderedAt > TIME_SENSITIVE_MAX_AGE_MS) return undefined;
    return entry.rep;
  }

  async get(key: string, timeSensitive: boolean): Promise<Representation> {
    const entry = this.entries.get(key);
    if (entry && entry.generation === this.generation) {
      if (entry.timeSensitive && this.options.now() - entry.renderedAt > TIME_SENSITIVE_MAX_AGE_MS) {
        // Only the clock moved: serve what we have and render anew behind it.
        void this.refresh(key, timeSensitive).catch(() => {});
      }
      this.touch(key, entry);
      return entry.rep;
    }
    try {
      return await this.refresh(key, timeSensitive);
    } catch (error) {
      if (entry) return entry.rep;
      throw error;
    }
  }

  private touch(key: string, entry: Entry): void {
    // Map keeps insertion order; re-inserting makes it the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private refresh(key: string, timeSensitive: boolean): Promise<Representation> {
    const running = this.inFlight.get(key);
    if (running) {
      if (running.generation === this.generation) return running.job;
      // That render began before the latest change; wait for it, then render again.
      return running.job.catch(() => undefined).then(() => this.refresh(key, timeSensitive));
    }
    const generation = this.generation;
    const renderedAt = this.options.now();
    const t0 = performance.now();
    const job = this.render(key)
      .then(async ({ status, contentType, body }) => {
        const t1 = performance.now();
        if (status >= 500) throw new Error(`rendering ${key} answered ${status}`);
        const rep = await makeRepresentation({
          status,
          contentType,
          body,
          cacheControl: status === 200 ? PUBLIC_CACHE_CONTROL : NOT_FOUND_CACHE_CONTROL,
          headers: this.options.headersFor(key),
        });
        this.entries.set(key, { rep, generation, renderedAt, timeSensitive });
        if (process.env.TRACE) console.log(`TRACE ${key} gen ${generation} render ${(t1 - t0).toFixed(1)} compress ${(performance.now() - t1).toFixed(1)} at ${Date.now() % 100000}`);
        this.evict();
        return rep;
      })
      .catch((error: unknown) => {
        this.options.onError(key, error);
        throw error;
      })
      .finally(() => {
        this.inFlight.delete(key);
      });
    this.inFlight.set(key, { generation, job });
    return job;
  }

  private evict(): void {
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
