// Webhook deliveries are requests our server makes to an address staff typed,
// so they must not become a way into the network the server sits in. The
// address is checked after DNS, on the very address the socket connects to
// (a custom `lookup`), so a name that resolves differently the second time
// cannot slip past the check.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Outcome } from './courier';

const WEBHOOK_TIMEOUT_MS = 10_000;
/** Receivers answer with a status; anything they send beyond this is not read. */
const WEBHOOK_MAX_RESPONSE_BYTES = 4 * 1024;

/**
 * How a webhook delivery failed, as stored in the outbox and shown to staff.
 * Raw socket errors are never kept: told apart in detail, they would let
 * whoever adds a webhook map ports on hosts the server can reach.
 */
export const WEBHOOK_FAILURES = [
  'timeout',
  'refused',
  'blocked_address',
  'dns_failure',
  'connection_failed',
  'invalid_url',
  'redirect',
  'http_status',
] as const;
export type WebhookFailure = (typeof WEBHOOK_FAILURES)[number];

/** Private networks a receiver may live on when WEBHOOK_ALLOW_PRIVATE=1. Link-local (cloud metadata), multicast and the rest stay closed. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

/** Whether a delivery may connect to this address: public unicast only, or also private networks when allowed. */
export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  // Only canonical forms: anything odd (octal, short forms) is refused rather than interpreted.
  if (isIP(address) === 0) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it reaches.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  // The deprecated IPv4-compatible form (::a.b.c.d, in ::/96 beside :: and ::1) is ranged by ipaddr.js by how it was written; nothing legitimate lives there.
  const parts = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).parts : [];
  const ipv4Compatible = parts.length === 8 && parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1);
  if (ipv4Compatible) return false;
  return range === 'unicast' || (allowPrivate && PRIVATE_RANGES.has(range));
}

/**
 * Whether an address written in a URL (not a name) may be connected to. A
 * literal address is connected to without any lookup, so it is checked when
 * the URL is given as well as when it is used.
 */
export function literalHostAllowed(url: URL, allowPrivate: boolean): boolean {
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(literal) === 0 || addressAllowed(literal, allowPrivate);
}

/** The receivers of one kind Shirase knows: exact hosts, host suffixes, and the paths their addresses take. */
export interface KnownReceivers {
  hosts?: readonly string[];
  suffixes?: readonly string[];
  paths?: RegExp;
}

/**
 * Whether Shirase may post to an address someone gave it: https on the
 * default port to one of the known receivers, or http(s) to a host staff
 * listed in the configuration (a self-hosted one). Never credentials in the
 * URL. Addresses are checked again, after DNS, on every delivery.
 */
export function onKnownReceiver(raw: string, known: KnownReceivers, extraHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  if (extraHosts.includes(url.host.toLowerCase()) || extraHosts.includes(host)) return url.protocol === 'https:' || url.protocol === 'http:';
  if (url.protocol !== 'https:' || url.port !== '') return false;
  const listed = (known.hosts ?? []).includes(host) || (known.suffixes ?? []).some((s) => host.endsWith(s));
  return listed && (known.paths ?? /^\//).test(url.pathname);
}

class BlockedAddress extends Error {
  readonly code = 'SHIRASE_BLOCKED_ADDRESS';
}

/** Whether a request failed because the address it would connect to is not allowed. */
export function isBlockedAddress(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'SHIRASE_BLOCKED_ADDRESS';
}
class TimedOut extends Error {
  readonly code = 'SHIRASE_TIMEOUT';
}

/**
 * A `lookup` for node's HTTP clients that refuses, at connect time, a name
 * resolving to any address `addressAllowed` rejects: the check is made on the
 * very answer the socket connects with. Literal addresses skip lookups, so
 * they are checked with `literalHostAllowed` first.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { family: options.family, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      if (addresses.length === 0 || addresses.some((a) => !addressAllowed(a.address, allowPrivate))) {
        return callback(new BlockedAddress('blocked address'));
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

function classify(error: unknown): WebhookFailure {
  const e = error as { code?: string; errors?: { code?: string }[] };
  const codes = [e?.code, ...(e?.errors ?? []).map((x) => x?.code)];
  if (codes.includes('SHIRASE_BLOCKED_ADDRESS')) return 'blocked_address';
  if (codes.includes('SHIRASE_TIMEOUT') || codes.includes('ETIMEDOUT')) return 'timeout';
  if (codes.some((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_FAIL' || c === 'EAI_NODATA' || c === 'ENODATA')) return 'dns_failure';
  if (codes.includes('ECONNREFUSED')) return 'refused';
  return 'connection_failed';
}

function failed(failure: WebhookFailure, permanent: boolean, detail?: number): Outcome {
  return { ok: false, permanent, error: detail === undefined ? failure : `${failure}:${detail}` };
}

/** The longest wait a receiver's 429 is obeyed for; a longer one is read as this. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * How long a 429 asks to wait: Discord's JSON `retry_after` (seconds, with
 * fractions), else the Retry-After header in seconds.
 */
function retryAfterMs(res: IncomingMessage, body: string): number | undefined {
  let seconds: number | undefined;
  try {
    const parsed = JSON.parse(body) as { retry_after?: unknown };
    if (typeof parsed.retry_after === 'number') seconds = parsed.retry_after;
  } catch {
    // Not JSON: the header says it, if anything does.
  }
  const header = Number(res.headers['retry-after']);
  if (seconds === undefined && Number.isFinite(header)) seconds = header;
  return seconds === undefined || !(seconds >= 0) ? undefined : Math.min(Math.ceil(seconds * 1000), MAX_RETRY_AFTER_MS);
}

/** The outcome a receiver's answer means: 2xx accepted; a redirect or a 4xx other than "try later" will never be accepted; 404 and 410 say the hook is gone. */
function outcomeForStatus(status: number, res?: IncomingMessage, body = ''): Outcome {
  if (status >= 200 && status < 300) return { ok: true, response: `HTTP ${status}` };
  if (status >= 300 && status < 400) return failed('redirect', true, status);
  if (status === 429) return { ...failed('http_status', false, status), ...(res ? { retryAfterMs: retryAfterMs(res, body) } : {}) };
  const permanent = status >= 400 && status < 500 && status !== 408;
  return { ...failed('http_status', permanent, status), ...(status === 404 || status === 410 ? { gone: true } : {}) };
}

export interface WebhookRequestOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/**
 * POSTs one webhook body. Never follows redirects, reads at most a few KiB of
 * the answer, gives up after a deadline that covers connecting, waiting and
 * reading, and connects only to addresses `addressAllowed` accepts.
 */
export function postWebhookRequest(
  message: { url: string; body: string | Buffer; headers: Record<string, string> },
  options: WebhookRequestOptions,
): Promise<Outcome> {
  let url: URL;
  try {
    url = new URL(message.url);
  } catch {
    return Promise.resolve(failed('invalid_url', true));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.resolve(failed('invalid_url', true));
  if (!literalHostAllowed(url, options.allowPrivate)) return Promise.resolve(failed('blocked_address', true));
  const maxBytes = options.maxResponseBytes ?? WEBHOOK_MAX_RESPONSE_BYTES;

  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let response: IncomingMessage | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...message.headers, 'content-length': String(Buffer.byteLength(message.body)) },
      lookup: guardedLookup(options.allowPrivate),
      // A fresh connection each time: no socket is shared with anything else.
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new TimedOut('timed out')), options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    req.on('error', (error) => {
      // Once the status is in, a reset while the rest of the answer is dropped does not change the outcome.
      if (response) finish(outcomeForStatus(response.statusCode ?? 0));
      else finish({ ok: false, permanent: classify(error) === 'blocked_address', error: classify(error) });
    });
    req.on('response', (res) => {
      response = res;
      let read = 0;
      const chunks: Buffer[] = [];
      const done = () => {
        finish(outcomeForStatus(res.statusCode ?? 0, res, Buffer.concat(chunks).toString('utf8')));
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, Math.max(0, maxBytes - read)));
        read += chunk.length;
        if (read >= maxBytes) done();
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.end(message.body);
  });
}
