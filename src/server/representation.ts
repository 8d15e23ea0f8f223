import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Encoding = 'br' | 'gzip' | 'identity';

/** A response body held in memory with its precompressed forms and ready-made headers. */
export interface Representation {
  status: number;
  contentType: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  /**
   * Per encoding: the body to send and its headers, built once so serving
   * only copies references; `negotiatedHeaders` add Accept-Language to Vary,
   * for an unprefixed page whose language the request's header chose.
   */
  variants: Record<Encoding, { body: Buffer; etag: string; headers: Record<string, string>; negotiatedHeaders: Record<string, string> }>;
}

export interface RepresentationInput {
  status: number;
  contentType: string;
  cacheControl: string;
  body: Buffer;
  /** Headers every response of this representation carries (security, CORS). */
  headers?: Record<string, string>;
}

const COMPRESSIBLE = /^(text\/|application\/(json|feed\+json|xml|rss\+xml|atom\+xml|javascript)|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 256;
// Quality 6 costs a fifth of quality 10 for a few per cent more bytes: the
// right trade for bodies rendered again on every change.
const BROTLI_OPTIONS = (size: number) => ({ params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: size } });
// Files compressed once at start: gzip's top level buys a few per cent at
// twice the time; a large one takes the usual level.
const GZIP_ONCE = (size: number) => ({ level: size > 128 * 1024 ? 6 : 9 });
// Pages rendered again on every change: level 5 takes a third of level 6's
// time on the status page (its repeating markup makes the longer match chains
// from level 6 up costly) for about 6 % more bytes, and only clients without
// brotli get it.
const GZIP_PER_CHANGE = () => ({ level: 5 });

function assemble(input: RepresentationInput, gz: Buffer | null, br: Buffer | null): Representation {
  const etag = `"${createHash('sha256').update(input.body).digest('base64url').slice(0, 27)}"`;
  // The smallest Vary that is true, so shared caches keep no more copies than there are: a body
  // never compressed is the same for every Accept-Encoding.
  const byEncoding = gz !== null || br !== null;
  const variant = (encoding: Encoding, body: Buffer) => {
    const variantEtag = encoding === 'identity' ? etag : `${etag.slice(0, -1)}-${encoding}"`;
    const headers: Record<string, string> = {
      ...input.headers,
      'content-type': input.contentType,
      'cache-control': input.cacheControl,
      etag: variantEtag,
      ...(byEncoding ? { vary: 'Accept-Encoding' } : {}),
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      'content-length': String(body.length),
    };
    return { body, etag: variantEtag, headers, negotiatedHeaders: { ...headers, vary: byEncoding ? 'Accept-Encoding, Accept-Language' : 'Accept-Language' } };
  };
  return {
    status: input.status,
    contentType: input.contentType,
    cacheControl: input.cacheControl,
    etag,
    identity: input.body,
    gzip: gz,
    br,
    variants: {
      identity: variant('identity', input.body),
      gzip: variant('gzip', gz ?? input.body),
      br: variant('br', br ?? gz ?? input.body),
    },
  };
}

function compressible(input: RepresentationInput): boolean {
  return COMPRESSIBLE.test(input.contentType) && input.body.length >= MIN_COMPRESS_BYTES;
}

/** Builds a representation, compressing on the thread pool (gzip and brotli side by side) so serving never waits on it. */
export async function makeRepresentation(input: RepresentationInput): Promise<Representation> {
  if (!compressible(input)) return withoutCompression(input);
  const [gz, br] = await Promise.all([gzipAsync(input.body, GZIP_PER_CHANGE()), brotliAsync(input.body, BROTLI_OPTIONS(input.body.length))]);
  return assemble(input, gz, br);
}

/** The same, synchronously, for files loaded once (at start, or when staff upload a logo). */
export function makeRepresentationSync(input: RepresentationInput): Representation {
  if (!compressible(input)) return withoutCompression(input);
  return assemble(input, gzipSync(input.body, GZIP_ONCE(input.body.length)), brotliCompressSync(input.body, BROTLI_OPTIONS(input.body.length)));
}

function withoutCompression(input: RepresentationInput): Representation {
  const rep = assemble(input, null, null);
  // Without compressed forms every client gets the identity body.
  rep.variants.gzip = rep.variants.identity;
  rep.variants.br = rep.variants.identity;
  return rep;
}

const negotiated = new Map<string, Encoding>();

/** Picks br, then gzip, then identity, honouring q=0 exclusions in Accept-Encoding. */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const known = negotiated.get(header);
  if (known) return known;
  const accepted = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name.trim(), q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (enc: string) => (accepted.get(enc) ?? accepted.get('*') ?? 0) > 0;
  const choice: Encoding = ok('br') ? 'br' : ok('gzip') ? 'gzip' : 'identity';
  // Browsers send a handful of distinct values; remember them, within reason.
  // Browsers send a handful of short values; long or odd ones are answered without being remembered.
  if (negotiated.size < 1000 && header.length <= 100) negotiated.set(header, choice);
  return choice;
}

function etagMatches(ifNoneMatch: string, etag: string, strongEtag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === etag || t === strongEtag;
  });
}

/**
 * Writes a representation, answering 304 when the client already holds it.
 * `languageNegotiated`: the request's Accept-Language chose this body, so Vary says so.
 */
export function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation, languageNegotiated = false): void {
  const variant = rep.variants[negotiateEncoding(req.headers['accept-encoding'])];
  const headers = languageNegotiated ? variant.negotiatedHeaders : variant.headers;
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && etagMatches(ifNoneMatch, variant.etag, rep.etag)) {
    const { 'content-length': _length, 'content-encoding': _encoding, ...rest } = headers;
    res.writeHead(304, rest);
    res.end();
    return;
  }
  res.writeHead(rep.status, headers);
  res.end(req.method === 'HEAD' ? undefined : variant.body);
}
