import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeRepresentationSync, sendRepresentation, type Representation } from './representation';

const MAX_LIVE_CLIENTS = 10_000;
const HEARTBEAT_MS = 25_000;
/**
 * The change document is fresh for a second: behind a cache (nginx, a CDN)
 * any number of polling pages cost the origin about one request a second,
 * and a page hears of a change within a second plus its own poll interval.
 */
const CHANGE_DOCUMENT_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1, stale-if-error=86400';
/** The longest a cache's revalidation is held, under the origin timeouts of common CDNs (30 s). */
const MAX_HOLD_MS = 25_000;
/** Revalidations held at once, and per client address: a cache holds one per copy it keeps (one per encoding). */
const MAX_HELD = 256;
const MAX_HELD_PER_ADDRESS = 4;

/** The seconds a request's `Prefer: wait=N` (RFC 7240) asks the server to take, if it does. */
function preferredWaitMs(req: IncomingMessage): number {
  const wait = /(?:^|[,;\s])wait\s*=\s*(\d{1,6})(?:$|[,;\s])/i.exec(String(req.headers.prefer ?? ''));
  return wait ? Math.min(Number(wait[1]) * 1_000, MAX_HOLD_MS) : 0;
}

interface Held {
  res: ServerResponse;
  req: IncomingMessage;
  address: string;
  timer: NodeJS.Timeout;
}

/**
 * Server-Sent Events telling open pages that something changed, so they can
 * fetch the new version. Each client costs one socket and no timers of its
 * own; one heartbeat loop keeps proxies from closing idle streams. Past the
 * cap, new clients are told to retry later and fall back to polling.
 *
 * The same news as a small document (`/live.json`, see `answerDocument`) for pages
 * that poll: where streams cannot pass, or with LIVE_MODE=poll behind a CDN.
 * Its version names this start of the server too, so a restart that counts
 * from zero again is never mistaken for no change.
 *
 * A cache in front that asks to wait (`Prefer: wait=N`, as the shipped nginx
 * configuration does) while revalidating the copy it holds is answered when
 * the version moves, or with 304 after N seconds: its copy follows a change
 * within milliseconds, at one request to the origin per change. The copy it
 * is given is marked stale at once for nginx (`X-Accel-Expires: @1`, which
 * nginx keeps to itself), so that it keeps serving it while its next
 * question waits here; a CDN reads Cache-Control and polls as before.
 */
export class LiveEvents {
  private clients = new Set<ServerResponse>();
  private perAddress = new Map<string, number>();
  private heartbeat: NodeJS.Timeout;
  private lastEventId = 0;
  private readonly startedAs = Date.now().toString(36);
  /** `{"version": …}`, cacheable for a second. */
  private changeDocument: Representation;
  /** The same document for a cache that waits here for the next change. */
  private documentForWaitingCache: Representation;
  private held = new Set<Held>();
  private heldPerAddress = new Map<string, number>();

  constructor(
    private readonly headers: Record<string, string>,
    private readonly maxClients = MAX_LIVE_CLIENTS,
    /** One address may hold this many streams, so nobody can take every slot. */
    private readonly maxPerAddress = 50,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.changeDocument = this.makeDocument();
    this.documentForWaitingCache = this.makeDocument({ 'x-accel-expires': '@1' });
  }

  /** The version open pages compare: changes whenever public pages show a new change. */
  get version(): string {
    return `${this.startedAs}.${this.lastEventId}`;
  }

  /** Revalidations waiting for the next change. */
  get waiting(): number {
    return this.held.size;
  }

  private makeDocument(extra: Record<string, string> = {}): Representation {
    return makeRepresentationSync({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      cacheControl: CHANGE_DOCUMENT_CACHE_CONTROL,
      body: Buffer.from(JSON.stringify({ version: this.version })),
      headers: { ...this.headers, ...extra },
    });
  }

  /**
   * Answers a request for the change document: at once, or, for a cache
   * asking to wait with the current version in If-None-Match, at the next
   * change or after the wait it asked for (within MAX_HOLD_MS).
   */
  answerDocument(req: IncomingMessage, res: ServerResponse, address: string): void {
    const waitMs = req.method === 'GET' ? preferredWaitMs(req) : 0;
    const mine = this.heldPerAddress.get(address) ?? 0;
    // Past the caps the answer is the plain document: fresh for a second, so a cache asks again only then.
    if (waitMs === 0 || this.held.size >= MAX_HELD || mine >= MAX_HELD_PER_ADDRESS) return sendRepresentation(req, res, this.changeDocument);
    if (!this.holds(req)) return sendRepresentation(req, res, this.documentForWaitingCache);
    const held: Held = { req, res, address, timer: setTimeout(() => this.release(held), waitMs) };
    this.held.add(held);
    this.heldPerAddress.set(address, mine + 1);
    res.once('close', () => this.forget(held));
  }

  /** Whether the request's If-None-Match names the current document. */
  private holds(req: IncomingMessage): boolean {
    const ifNoneMatch = req.headers['if-none-match'];
    if (!ifNoneMatch) return false;
    const etags = new Set(Object.values(this.documentForWaitingCache.variants).map((v) => v.etag));
    return ifNoneMatch.split(',').some((tag) => etags.has(tag.trim().replace(/^W\//, '')));
  }

  private forget(held: Held): boolean {
    if (!this.held.delete(held)) return false;
    clearTimeout(held.timer);
    const left = (this.heldPerAddress.get(held.address) ?? 1) - 1;
    if (left > 0) this.heldPerAddress.set(held.address, left);
    else this.heldPerAddress.delete(held.address);
    return true;
  }

  /** Answers a held request with the document as it now is: 200 after a change, 304 when its wait ran out. */
  private release(held: Held): void {
    if (this.forget(held) && !held.res.destroyed) sendRepresentation(held.req, held.res, this.documentForWaitingCache);
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
    this.documentForWaitingCache = this.makeDocument({ 'x-accel-expires': '@1' });
    for (const held of [...this.held]) this.release(held);
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
    for (const held of [...this.held]) this.release(held);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
