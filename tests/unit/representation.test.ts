import { describe, expect, it } from 'vitest';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { makeRepresentation, makeRepresentationSync, negotiateEncoding } from '../../src/server/representation';

describe('precompressed representations', () => {
  const body = Buffer.from('<p>status</p>'.repeat(100));
  const rep = makeRepresentationSync({ status: 200, contentType: 'text/html; charset=utf-8', cacheControl: 'public', body });

  it('holds gzip and brotli forms that decode to the same bytes', () => {
    expect(gunzipSync(rep.gzip!).equals(body)).toBe(true);
    expect(brotliDecompressSync(rep.br!).equals(body)).toBe(true);
  });

  it('says Vary: Accept-Encoding, adding Accept-Language only when the header chose the language', () => {
    expect(rep.variants.br.headers.vary).toBe('Accept-Encoding');
    expect(rep.variants.br.negotiatedHeaders.vary).toBe('Accept-Encoding, Accept-Language');
    // A body too small to compress is the same for every encoding: no Vary to split a shared cache on.
    const tiny = makeRepresentationSync({ status: 200, contentType: 'application/json', cacheControl: 'public', body: Buffer.from('{}') });
    expect(tiny.variants.gzip.headers.vary).toBeUndefined();
    expect(tiny.variants.gzip.negotiatedHeaders.vary).toBe('Accept-Language');
  });

  it('compresses the same way on the thread pool', async () => {
    const async = await makeRepresentation({ status: 200, contentType: 'text/html; charset=utf-8', cacheControl: 'public', body });
    expect(brotliDecompressSync(async.br!).equals(body)).toBe(true);
    expect(async.etag).toBe(rep.etag);
    expect(async.variants.br.headers['content-encoding']).toBe('br');
    expect(async.variants.identity.headers['content-length']).toBe(String(body.length));
  });

  it('gives equal bodies equal ETags and different bodies different ones', () => {
    const again = makeRepresentationSync({ status: 200, contentType: 'text/html', cacheControl: 'public', body: Buffer.from(body) });
    const other = makeRepresentationSync({ status: 200, contentType: 'text/html', cacheControl: 'public', body: Buffer.from('x') });
    expect(again.etag).toBe(rep.etag);
    expect(other.etag).not.toBe(rep.etag);
  });

  it.each([
    [undefined, 'identity'],
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['identity', 'identity'],
  ] as const)('negotiates %s as %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});
