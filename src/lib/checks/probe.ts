// One probe of one target, with node's own http, https and net: no redirects
// followed, at most MAX_BODY_BYTES of body read (counted as the bytes arrive),
// and one timeout over the whole exchange, from the lookup to the last byte.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { parseCheckUrl, parseExpectedStatus, parseHostPort, type CheckKind } from './check-input';

const MAX_BODY_BYTES = 1024 * 1024;

/** What went wrong, as a stable code and its detail; the pages and the alert say it in words (check-failure.ts). */
export type ProbeFailure =
  | { code: 'status'; status: number; expected: string }
  | { code: 'keyword'; keyword: string }
  | { code: 'timeout'; seconds: number }
  | { code: 'refused' }
  | { code: 'dns'; host: string }
  | { code: 'tls'; reason: string }
  | { code: 'network'; reason: string };

export interface ProbeOutcome {
  ok: boolean;
  /** From the start of the probe to the last byte read (HTTP) or the connection (TCP); null when nothing answered. */
  ms: number | null;
  statusCode: number | null;
  failure: ProbeFailure | null;
  /** The peer certificate's expiry, for https. */
  certExpiresAt: number | null;
}

export interface ProbeTarget {
  kind: CheckKind;
  target: string;
  timeoutMs: number;
  expectedStatus: string;
  keyword: string | null;
}

const ABORTED: ProbeFailure = { code: 'network', reason: 'stopped' };

function networkFailure(error: NodeJS.ErrnoException, host: string): ProbeFailure {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return { code: 'refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { code: 'dns', host };
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return { code: 'tls', reason: code };
  return { code: 'network', reason: code || error.message.slice(0, 200) };
}

function certExpiry(socket: TLSSocket): number | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.valid_to) return null;
  const at = Date.parse(cert.valid_to);
  return Number.isFinite(at) ? at : null;
}

function probeHttp(t: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
  const url = parseCheckUrl(t.target);
  const expected = parseExpectedStatus(t.expectedStatus);
  if (!url || !expected)
    return Promise.resolve({ ok: false, ms: null, statusCode: null, failure: { code: 'network', reason: 'invalid target' }, certExpiresAt: null });
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let certExpiresAt: number | null = null;
    let settled = false;
    const finish = (outcome: Omit<ProbeOutcome, 'certExpiresAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      resolve({ ...outcome, certExpiresAt });
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      // A connection of its own each time: a pooled one would hide connection and TLS failures.
      agent: false,
      // Trust is judged below, once the certificate's expiry has been read, so an untrusted certificate is both recorded and reported.
      rejectUnauthorized: false,
      headers: { 'user-agent': 'Shirase-check/1', accept: '*/*', connection: 'close' },
    });
    const timer = setTimeout(() => finish({ ok: false, ms: null, statusCode: null, failure: { code: 'timeout', seconds: t.timeoutMs / 1000 } }), t.timeoutMs);
    const onAbort = () => finish({ ok: false, ms: null, statusCode: null, failure: ABORTED });
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('socket', (socket) => {
      if (url.protocol !== 'https:') return;
      socket.once('secureConnect', () => {
        const tls = socket as TLSSocket;
        certExpiresAt = certExpiry(tls);
        if (!tls.authorized)
          finish({ ok: false, ms: elapsed(), statusCode: null, failure: { code: 'tls', reason: String(tls.authorizationError ?? 'untrusted') } });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, ms: null, statusCode: null, failure: networkFailure(error, url.hostname) }));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      const judge = () => {
        const ms = elapsed();
        if (status < expected.low || status > expected.high)
          return finish({ ok: false, ms, statusCode: status, failure: { code: 'status', status, expected: t.expectedStatus } });
        if (t.keyword && !Buffer.concat(chunks).toString('utf8').includes(t.keyword))
          return finish({ ok: false, ms, statusCode: status, failure: { code: 'keyword', keyword: t.keyword } });
        finish({ ok: true, ms, statusCode: status, failure: null });
      };
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = MAX_BODY_BYTES - bytes;
        bytes += chunk.length;
        chunks.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
        // Past the limit the rest is never read: what was read so far is judged.
        if (bytes >= MAX_BODY_BYTES) judge();
      });
      response.on('end', judge);
      response.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, ms: null, statusCode: status, failure: networkFailure(error, url.hostname) }));
    });
    request.end();
  });
}

function probeTcp(t: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
  const address = parseHostPort(t.target);
  if (!address) return Promise.resolve({ ok: false, ms: null, statusCode: null, failure: { code: 'network', reason: 'invalid target' }, certExpiresAt: null });
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const socket = net.connect({ host: address.host, port: address.port });
    const timer = setTimeout(
      () => finish({ ok: false, ms: null, statusCode: null, failure: { code: 'timeout', seconds: t.timeoutMs / 1000 }, certExpiresAt: null }),
      t.timeoutMs,
    );
    const onAbort = () => finish({ ok: false, ms: null, statusCode: null, failure: ABORTED, certExpiresAt: null });
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true, ms: Math.round(performance.now() - started), statusCode: null, failure: null, certExpiresAt: null }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, ms: null, statusCode: null, failure: networkFailure(error, address.host), certExpiresAt: null }),
    );
  });
}

/** Probes the target once; never rejects, every failure is an outcome. An abort ends it at once (the server is closing). */
export function probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeOutcome> {
  return target.kind === 'http' ? probeHttp(target, signal) : probeTcp(target, signal);
}
