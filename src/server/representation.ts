import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response body held in memory with its precompressed forms. */
export interface Representation {
  status: number;
  contentType: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  extraHeaders: Record<string, string>;
}

const COMPRESSIBLE = /^(text\/|application\/(json|xml|rss\+xml|atom\+xml|javascript)|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 256;

export function makeRepresentation(input: {
  status: number;
  contentType: string;
  cacheControl: string;
  body: Buffer;
  extraHeaders?: Record<string, string>;
}): Representation {
  const compress = COMPRESSIBLE.test(input.contentType) && input.body.length >= MIN_COMPRESS_BYTES;
  return {
    status: input.status,
    contentType: input.contentType,
    cacheControl: input.cacheControl,
    etag: `"${createHash('sha256').update(input.body).digest('base64url').slice(0, 27)}"`,
    identity: input.body,
    gzip: compress ? gzipSync(input.body, { level: 9 }) : null,
    br: compress
      ? brotliCompressSync(input.body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: input.body.length },
        })
      : null,
    extraHeaders: input.extraHeaders ?? {},
  };
}

/** Picks br, then gzip, then identity, honouring q=0 exclusions in Accept-Encoding. */
export function negotiateEncoding(header: string | undefined): 'br' | 'gzip' | 'identity' {
  if (!header) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (enc: string) => (accepted.get(enc) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Writes a representation, answering 304 when the client already holds it. */
export function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation, baseHeaders: Record<string, string> = {}): void {
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  const body = encoding === 'br' ? rep.br : encoding === 'gzip' ? rep.gzip : null;
  const chosen = body ?? rep.identity;
  // One ETag per encoding, so caches never hand a gzip body to a client that asked for identity.
  const etag = body ? `${rep.etag.slice(0, -1)}-${encoding}"` : rep.etag;
  const headers: Record<string, string> = {
    ...baseHeaders,
    ...rep.extraHeaders,
    'content-type': rep.contentType,
    'cache-control': rep.cacheControl,
    etag,
    vary: 'Accept-Encoding',
  };
  if (etagMatches(req.headers['if-none-match'], etag) || etagMatches(req.headers['if-none-match'], rep.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (body) headers['content-encoding'] = encoding;
  headers['content-length'] = String(chosen.length);
  res.writeHead(rep.status, headers);
  res.end(req.method === 'HEAD' ? undefined : chosen);
}
