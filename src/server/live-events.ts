import type { IncomingMessage, ServerResponse } from 'node:http';
import { addressKey } from '../lib/auth/address-key';
import { makeRepresentationSync, sendRepresentation, type Representation } from './representation';

const MAX_LIVE_CLIENTS = 10_000;
const HEARTBEAT_MS = 25_000;
/**
 * The change document is fresh for a second: behind a cache (nginx, a CDN)
 * any number of polling pages cost the origin about one request a second,
 * and behind the shipped nginx configuration, which waits, about one per
 * change and one every ROUND_MS.
 */
const CHANGE_DOCUMENT_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1, stale-if-error=86400';
/**
 * Questions are held until the next change or the end of the current round
 * of this many ms, counted from the epoch so that every page and every
 * cache agrees on it: under the origin timeouts of common CDNs (30 s) and
 * nginx's proxy_read_timeout (60 s), and under the shipped configuration's
 * cache-lock timeout (30 s), so no page waits in nginx longer than a round.
 */
const ROUND_MS = 25_000;
/**
 * Questions held at once, and per connecting address. Behind nginx one per
 * encoding reaches the origin (the rest wait in nginx's cache lock), and one
 * more for every 1,024 pages waiting (nginx counts a key's requests in ten
 * bits, and passes the one that wraps); the per-address cap bounds what a
 * client reaching the origin directly can hold, and spares a trusted proxy.
 */
const MAX_HELD = 2_000;
const MAX_HELD_PER_ADDRESS = 8;

/** The longest a request's `Prefer: wait=N` (RFC 7240) lets the server take, in ms; 0 when it does not ask to wait. */
function preferredWaitMs(req: IncomingMessage): number {
  const wait = /(?:^|[,;\s])wait\s*=\s*(\d{1,6})(?:$|[,;\s])/i.exec(String(req.headers.prefer ?? ''));
  return wait ? Number(wait[1]) * 1_000 : 0;
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
 * `{"version": …, "round": …}`: the version names this start of the server
 * too, so a restart that counts from zero again is never mistaken for no
 * change; the round is the current ROUND_MS period.
 *
 * A cache in front that collapses questions and asks to wait (`Prefer:
 * wait=N`, as the shipped nginx configuration does) is answered, for the
 * question `?since=<current version>&round=<current round>` spelled exactly
 * so, at the next change or at the round's end: a long poll. Every page
 * holding a version asks that one question, nginx's cache lock sends the
 * origin one of them and keeps the rest waiting for its answer, and the
 * answer names a newer version or round, which the pages ask about next: so
 * open pages cost the origin one question per change and per round, and hear
 * of a change within nginx's half-second look at its lock. Anything else
 * (a browser, a CDN, another spelling) is answered at once, and a question
 * about a version or round still to come is answered with a copy no cache
 * keeps. Public pages name the version they were
 * rendered for (`data-live-version`), so an open page asks about that first,
 * never about a cache's older copy of the document.
 */
export class LiveEvents {
  private clients = new Set<ServerResponse>();
  private perAddress = new Map<string, number>();
  private heartbeat: NodeJS.Timeout;
  private lastEventId = 0;
  private readonly startedAs = Date.now().toString(36);
  /** `{"version": …, "round": …}` for `documentRound`, cacheable for a second, and the same kept by no cache. */
  private document: Representation | undefined;
  private unkept: Representation | undefined;
  private documentRound = -1;
  private held = new Set<Held>();
  private heldPerAddress = new Map<string, number>();

  constructor(
    private readonly headers: Record<string, string>,
    private readonly maxClients = MAX_LIVE_CLIENTS,
    /** One address may hold this many streams, so nobody can take every slot. */
    private readonly maxPerAddress = 50,
    private readonly roundMs = ROUND_MS,
    /** A private page's: its change document is kept by no shared cache, as its pages are not. */
    private readonly viewersOnly = false,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** The version open pages compare: changes whenever public pages show a new change. */
  get version(): string {
    return this.versionFor(this.lastEventId);
  }

  /** The version announced once the public pages of this generation are rendered, which those pages name. */
  versionFor(generation: number): string {
    return `${this.startedAs}.${generation}`;
  }

  /** Questions waiting for the next change. */
  get waiting(): number {
    return this.held.size;
  }

  /** The change document as of now. */
  private currentDocument(): { document: Representation; unkept: Representation; round: number } {
    const round = Math.floor(Date.now() / this.roundMs);
    if (!this.document || !this.unkept || round !== this.documentRound) {
      const make = (cacheControl: string) =>
        makeRepresentationSync({
          status: 200,
          contentType: 'application/json; charset=utf-8',
          cacheControl,
          body: Buffer.from(JSON.stringify({ version: this.version, round })),
          headers: this.headers,
        });
      this.document = make(this.viewersOnly ? 'private, no-cache' : CHANGE_DOCUMENT_CACHE_CONTROL);
      this.unkept = make('no-store');
      this.documentRound = round;
    }
    return { document: this.document, unkept: this.unkept, round };
  }

  /**
   * Whether a question is about a version or round that has not come yet: a page rendered for a change whose
   * announcement is still coming asks one (and asks again after a pause), as does a forger or a skewed clock.
   */
  private aheadOfNow(since: string, askedRound: number, round: number): boolean {
    const counter = since.startsWith(`${this.startedAs}.`) ? Number(since.slice(this.startedAs.length + 1)) : NaN;
    return askedRound > round || counter > this.lastEventId;
  }

  /**
   * Answers a request for the change document: at once, or, for a cache that
   * asks to wait with the question about the current version and round, at
   * the next change or the round's end (sooner if its wait is shorter).
   * `fromProxy`: the connection is a proxy the server trusts (TRUST_PROXY),
   * whose questions are not held to the per-address cap.
   */
  answerDocument(req: IncomingMessage, res: ServerResponse, fromProxy: boolean): void {
    const { document, unkept, round } = this.currentDocument();
    const question = new URLSearchParams(req.url?.split('?')[1] ?? '');
    const since = question.get('since');
    // An answer to a question about the future, kept by a cache, would later tell the pages that ask it something older.
    if (since && this.aheadOfNow(since, Number(question.get('round')), round)) return sendRepresentation(req, res, unkept);
    const waitMs = req.method === 'GET' ? preferredWaitMs(req) : 0;
    // The connecting address: behind nginx that is nginx; a client reaching the origin itself is held to a few.
    const address = addressKey(req.socket.remoteAddress ?? '');
    const mine = this.heldPerAddress.get(address) ?? 0;
    const capped = this.held.size >= MAX_HELD || (!fromProxy && mine >= MAX_HELD_PER_ADDRESS);
    if (waitMs === 0 || req.url !== `/live.json?since=${this.version}&round=${round}` || capped) return sendRepresentation(req, res, document);
    // A few ms past the round's end: a timer may fire up to a millisecond early, and the answer must name the next round.
    const untilRoundEnds = (round + 1) * this.roundMs - Date.now() + 5;
    const held: Held = { req, res, address, timer: setTimeout(() => this.release(held), Math.min(untilRoundEnds, waitMs)) };
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

  /** Answers a held question with the document as it now is: a newer version after a change, else the next round. */
  private release(held: Held): void {
    if (this.forget(held) && !held.res.destroyed) sendRepresentation(held.req, held.res, this.currentDocument().document);
  }

  get size(): number {
    return this.clients.size;
  }

  /** `address`: the client's key (see lib/auth/address-key.ts), which its streams are counted by. */
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
    // The version out now, first: a page that arrived older than it (from a browser's or a proxy's copy, or
    // rendered just before a change was announced) catches up at once rather than at the next change.
    res.write(`event: current\ndata: ${JSON.stringify({ version: this.version })}\n\n`);
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
    // Renders for two changes can finish out of order: the version only moves forward.
    if (generation <= this.lastEventId) return;
    this.lastEventId = generation;
    this.document = undefined;
    this.unkept = undefined;
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
