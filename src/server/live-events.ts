import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeRepresentationSync, type Representation } from './representation';

const MAX_LIVE_CLIENTS = 10_000;
const HEARTBEAT_MS = 25_000;
/**
 * The change document is fresh for a second: behind a cache (nginx, a CDN)
 * any number of polling pages cost the origin about one request a second,
 * and a page hears of a change within a second plus its own poll interval.
 */
const CHANGE_DOCUMENT_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1, stale-if-error=86400';

/**
 * Server-Sent Events telling open pages that something changed, so they can
 * fetch the new version. Each client costs one socket and no timers of its
 * own; one heartbeat loop keeps proxies from closing idle streams. Past the
 * cap, new clients are told to retry later and fall back to polling.
 *
 * The same news as a small document (`/live.json`, see `document`) for pages
 * that poll: where streams cannot pass, or with LIVE_MODE=poll behind a CDN.
 * Its version names this start of the server too, so a restart that counts
 * from zero again is never mistaken for no change.
 */
export class LiveEvents {
  private clients = new Set<ServerResponse>();
  private perAddress = new Map<string, number>();
  private heartbeat: NodeJS.Timeout;
  private lastEventId = 0;
  private readonly startedAs = Date.now().toString(36);
  private changeDocument: Representation;

  constructor(
    private readonly headers: Record<string, string>,
    private readonly maxClients = MAX_LIVE_CLIENTS,
    /** One address may hold this many streams, so nobody can take every slot. */
    private readonly maxPerAddress = 50,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.changeDocument = this.makeDocument();
  }

  /** The version open pages compare: changes whenever public pages show a new change. */
  get version(): string {
    return `${this.startedAs}.${this.lastEventId}`;
  }

  /** `{"version": …}`, cacheable for a second. */
  get document(): Representation {
    return this.changeDocument;
  }

  private makeDocument(): Representation {
    return makeRepresentationSync({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      cacheControl: CHANGE_DOCUMENT_CACHE_CONTROL,
      body: Buffer.from(JSON.stringify({ version: this.version })),
      headers: this.headers,
    });
  }

  get size(): number {
    return this.clients.size;
  }

  accept(req: IncomingMessage, res: ServerResponse, address: string): void {
    const mine = this.perAddress.get(address) ?? 0;
    if (this.clients.size >= this.maxClients || mine >= this.maxPerAddress) {
      res.writeHead(503, { ...this.headers, 'retry-after': '30', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Too many live connections; the page will check for changes on its own.');
      return;
    }
    res.writeHead(200, {
      ...this.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 5000\nid: ${this.lastEventId}\n\n`);
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    this.perAddress.set(address, mine + 1);
    req.on('close', () => {
      this.clients.delete(res);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
  }

  /** Tells every client that public pages changed. */
  announce(generation: number): void {
    this.lastEventId = generation;
    this.changeDocument = this.makeDocument();
    this.write(`id: ${generation}\nevent: change\ndata: ${JSON.stringify({ generation, version: this.version })}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableEnded || res.destroyed) this.clients.delete(res);
      else res.write(chunk);
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
