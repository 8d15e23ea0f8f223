import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeRepresentationSync, sendRepresentation, type Representation } from './representation';

const MAX_LIVE_CLIENTS = 10_000;
const HEARTBEAT_MS = 25_000;
/**
 * The change document is fresh for a second: behind a cache (nginx, a CDN)
 * any number of polling pages cost the origin about one request a second.
 */
const CHANGE_DOCUMENT_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1, stale-if-error=86400';
/**
 * A held question that ran out with no change: kept by nobody, so a cache in
 * front asks the origin again for the pages still waiting instead of telling
 * them "no change" from a copy, which would turn their wait into polling.
 */
const NO_CHANGE_CACHE_CONTROL = 'no-store';
/** The longest a question is held, under the origin timeouts of common CDNs (30 s) and nginx's proxy_read_timeout (60 s). */
const MAX_HOLD_MS = 25_000;
/**
 * Questions held at once, and per client address. Behind nginx only one per
 * version and encoding reaches the origin (the rest wait in nginx's cache
 * lock); pages polling the origin directly past the cap are answered at once
 * and poll every couple of seconds instead.
 */
const MAX_HELD = 2_000;
const MAX_HELD_PER_ADDRESS = 4;

/** The version a request for the change document already holds (`?since=…`), if it says. */
function sinceVersion(req: IncomingMessage): string | null {
  const query = req.url?.split('?')[1];
  return query ? new URLSearchParams(query).get('since') : null;
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
 * A page that names the version it holds (`/live.json?since=…`) is answered
 * at the next change, or after 25 seconds with no change: a long poll. Behind
 * nginx every page holding the same version asks under the same address, and
 * nginx's cache lock sends the origin one of those questions and keeps the
 * rest waiting for its answer; so open pages cost nothing between changes,
 * and hear of one within nginx's half-second look at its lock.
 */
export class LiveEvents {
  private clients = new Set<ServerResponse>();
  private perAddress = new Map<string, number>();
  private heartbeat: NodeJS.Timeout;
  private lastEventId = 0;
  private readonly startedAs = Date.now().toString(36);
  /** `{"version": …}`, cacheable for a second. */
  private changeDocument: Representation;
  /** The same document for a held question that ran out: kept by nobody. */
  private noChangeDocument: Representation;
  private held = new Set<Held>();
  private heldPerAddress = new Map<string, number>();

  constructor(
    private readonly headers: Record<string, string>,
    private readonly maxClients = MAX_LIVE_CLIENTS,
    /** One address may hold this many streams, so nobody can take every slot. */
    private readonly maxPerAddress = 50,
    private readonly holdMs = MAX_HOLD_MS,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.changeDocument = this.makeDocument(CHANGE_DOCUMENT_CACHE_CONTROL);
    this.noChangeDocument = this.makeDocument(NO_CHANGE_CACHE_CONTROL);
  }

  /** The version open pages compare: changes whenever public pages show a new change. */
  get version(): string {
    return `${this.startedAs}.${this.lastEventId}`;
  }

  /** Questions waiting for the next change. */
  get waiting(): number {
    return this.held.size;
  }

  private makeDocument(cacheControl: string): Representation {
    return makeRepresentationSync({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      cacheControl,
      body: Buffer.from(JSON.stringify({ version: this.version })),
      headers: this.headers,
    });
  }

  /**
   * Answers a request for the change document: at once, or, when it names
   * the current version in `since`, at the next change or after `holdMs`.
   */
  answerDocument(req: IncomingMessage, res: ServerResponse, address: string): void {
    const mine = this.heldPerAddress.get(address) ?? 0;
    // Past the caps the answer is the plain document: fresh for a second, so a cache answers the next asker from it.
    if (req.method !== 'GET' || sinceVersion(req) !== this.version || this.held.size >= MAX_HELD || mine >= MAX_HELD_PER_ADDRESS) {
      return sendRepresentation(req, res, this.changeDocument);
    }
    const held: Held = { req, res, address, timer: setTimeout(() => this.release(held, this.noChangeDocument), this.holdMs) };
    this.held.add(held);
    this.heldPerAddress.set(address, mine + 1);
    res.once('close', () => this.forget(held));
  }

  private forget(held: Held): boolean {
    if (!this.held.delete(held)) return false;
    clearTimeout(held.timer);
    const left = (this.heldPerAddress.get(held.address) ?? 1) - 1;
    if (left > 0) this.heldPerAddress.set(held.address, left);
    else this.heldPerAddress.delete(held.address);
    return true;
  }

  private release(held: Held, document: Representation): void {
    if (this.forget(held) && !held.res.destroyed) sendRepresentation(held.req, held.res, document);
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
    this.changeDocument = this.makeDocument(CHANGE_DOCUMENT_CACHE_CONTROL);
    this.noChangeDocument = this.makeDocument(NO_CHANGE_CACHE_CONTROL);
    for (const held of [...this.held]) this.release(held, this.changeDocument);
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
    for (const held of [...this.held]) this.release(held, this.noChangeDocument);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
