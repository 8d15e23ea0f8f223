import { describe, expect, it } from 'vitest';
import { PublicCache, type Renderer } from '../../src/server/public-cache';

/** A renderer whose renders finish only when the test says so, counting what it was asked. */
function heldRenderer() {
  let version = 1;
  const waiting: (() => void)[] = [];
  const asked: string[] = [];
  const render: Renderer = (key) => {
    asked.push(key);
    const body = Buffer.from(`${key} v${version}`);
    return new Promise((resolve) => waiting.push(() => resolve({ status: 200, contentType: 'text/plain', body })));
  };
  return {
    render,
    asked,
    nextVersion: () => version++,
    releaseAll: async () => {
      while (waiting.length > 0) {
        waiting.shift()!();
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

const cacheWith = (render: Renderer) =>
  new PublicCache(render, { maxEntries: 10, now: () => Date.now(), onError: () => {}, headersFor: () => ({}), timeSensitive: () => false });
const text = async (p: Promise<{ identity: Buffer }> | { identity: Buffer } | undefined) => (await p)?.identity.toString();

describe('the public cache', () => {
  it('serves a hot page as it was while its new version renders, and the new one after', async () => {
    const r = heldRenderer();
    const cache = cacheWith(r.render);
    const first = cache.invalidate(['/']);
    await r.releaseAll();
    await first;
    expect(await text(cache.peek('/'))).toBe('/ v1');

    r.nextVersion();
    const round = cache.invalidate(['/']);
    // The render is held: a reader still gets the page at once, not a wait.
    expect(await text(cache.peek('/'))).toBe('/ v1');
    expect(await text(cache.get('/', false))).toBe('/ v1');
    await r.releaseAll();
    await round;
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });

  it('makes a reader of a page outside the round wait for its fresh render', async () => {
    const r = heldRenderer();
    const cache = cacheWith(r.render);
    const old = cache.get('/incidents/abc', false);
    await r.releaseAll();
    expect(await text(old)).toBe('/incidents/abc v1');
    r.nextVersion();
    void cache.invalidate([]);
    expect(cache.peek('/incidents/abc')).toBeUndefined();
    const fresh = cache.get('/incidents/abc', false);
    await r.releaseAll();
    expect(await text(fresh)).toBe('/incidents/abc v2');
  });

  it('brings pages readers asked for into the next round, and settles only when all are current', async () => {
    const r = heldRenderer();
    const cache = cacheWith(r.render);
    const page = cache.get('/incidents/abc', false);
    await r.releaseAll();
    await page;
    cache.peek('/incidents/abc');
    cache.peek('/incidents/abc');
    r.nextVersion();
    let settled = false;
    const round = cache.invalidate(['/']).then(() => {
      settled = true;
    });
    // Popular but outside the hot list: served as it was until its turn.
    expect(await text(cache.peek('/incidents/abc'))).toBe('/incidents/abc v1');
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    await r.releaseAll();
    await round;
    expect(r.asked.filter((k) => k === '/incidents/abc')).toHaveLength(2);
    expect(await text(cache.peek('/incidents/abc'))).toBe('/incidents/abc v2');
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });

  it('goes round again when a change arrives mid-round, so no page is left behind', async () => {
    const r = heldRenderer();
    const cache = cacheWith(r.render);
    const round = cache.invalidate(['/a', '/b']);
    await r.releaseAll();
    await round;
    r.nextVersion();
    const second = cache.invalidate(['/a', '/b']);
    await new Promise((res) => setTimeout(res, 5));
    r.nextVersion();
    void cache.invalidate(['/a', '/b']);
    await r.releaseAll();
    await second;
    expect(await text(cache.peek('/a'))).toBe('/a v3');
    expect(await text(cache.peek('/b'))).toBe('/b v3');
  });

  it('renders the next page while the last one is compressed, serving each as it was until its new body is in', async () => {
    // Large enough that compressing it on the thread pool takes a while.
    const page = (key: string, version: number) => Buffer.from(`<p>${key} v${version}</p>\n`.repeat(200_000));
    let version = 1;
    const seenAtRender: (string | undefined)[] = [];
    const cache: PublicCache = cacheWith(async (key) => {
      if (key === '/b') seenAtRender.push((await text(cache.peek('/a')))?.slice(0, 12));
      return { status: 200, contentType: 'text/html', body: page(key, version) };
    });
    await cache.invalidate(['/a', '/b']);
    version = 2;
    seenAtRender.length = 0;
    let settled = false;
    const round = cache.invalidate(['/a', '/b']).then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    // /b was asked for while /a's new body was still being compressed: /a was still served as it was.
    expect(seenAtRender).toEqual(['<p>/a v1</p>']);
    expect(settled).toBe(false);
    await round;
    expect((await text(cache.peek('/a')))?.slice(0, 12)).toBe('<p>/a v2</p>');
    expect((await text(cache.peek('/b')))?.slice(0, 12)).toBe('<p>/b v2</p>');
  });
});

describe('pages a write through this server changed', () => {
  /** A cache holding `/` and `/b` v1, whose renderer answers v2 from now on (held until released). */
  const afterFirstRound = async () => {
    const r = heldRenderer();
    const cache = cacheWith(r.render);
    const first = cache.invalidate(['/', '/b']);
    await r.releaseAll();
    await first;
    r.nextVersion();
    r.asked.length = 0;
    return { r, cache };
  };

  it('makes their readers wait for the new render, while other pages of the round are served as they were', async () => {
    const { r, cache } = await afterFirstRound();
    const round = cache.invalidate(['/b']);
    cache.expect(['/']);
    // Asked for at once, while /b's render (the round's first) is still held.
    expect(r.asked.toSorted()).toEqual(['/', '/b']);
    expect(cache.peek('/'), 'no page from before the write').toBeUndefined();
    const reader = cache.get('/', false);
    let answered = false;
    void reader.then(() => (answered = true));
    // /b is only part of the round: its readers still get it at once.
    expect(await text(cache.peek('/b'))).toBe('/b v1');
    await new Promise((res) => setTimeout(res, 10));
    expect(answered).toBe(false);
    await r.releaseAll();
    expect(await text(reader)).toBe('/ v2');
    await round;
    // Each rendered once.
    expect(r.asked.toSorted()).toEqual(['/', '/b']);
  });

  it('gives a reader the page as it was once the new render has kept it waiting too long', async () => {
    const r = heldRenderer();
    const cache = new PublicCache(r.render, {
      maxEntries: 10,
      now: () => Date.now(),
      onError: () => {},
      headersFor: () => ({}),
      timeSensitive: () => false,
      readerWaitMs: 30,
      onWaitedOut: (key) => waitedOut.push(key),
    });
    const waitedOut: string[] = [];
    const first = cache.invalidate(['/']);
    await r.releaseAll();
    await first;
    r.nextVersion();
    void cache.invalidate(['/']);
    cache.expect(['/']);
    // The render is held: past the wait, the reader is answered with the page from before the write.
    expect(await text(cache.get('/', false))).toBe('/ v1');
    // And it is told, for /metrics to count.
    expect(waitedOut).toEqual(['/']);
    await r.releaseAll();
    await new Promise((res) => setTimeout(res, 10));
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });

  it('joins the render of the round already under way rather than rendering again', async () => {
    const { r, cache } = await afterFirstRound();
    const round = cache.invalidate(['/']);
    expect(r.asked).toEqual(['/']);
    cache.expect(['/']);
    await r.releaseAll();
    await round;
    expect(r.asked).toEqual(['/']);
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });

  it('renders nothing once they are in', async () => {
    const { r, cache } = await afterFirstRound();
    const round = cache.invalidate(['/']);
    await r.releaseAll();
    await round;
    cache.expect(['/']);
    expect(r.asked).toEqual(['/']);
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });

  it('gives their readers the last good page when the new render fails, and serves them as they were after the next change', async () => {
    let fail = false;
    let version = 1;
    const renders: string[] = [];
    const cache = cacheWith(async (key) => {
      renders.push(key);
      if (fail) return { status: 500, contentType: 'text/plain', body: Buffer.from('broken') };
      return { status: 200, contentType: 'text/plain', body: Buffer.from(`${key} v${version}`) };
    });
    await cache.invalidate(['/']);
    fail = true;
    void cache.invalidate(['/']);
    cache.expect(['/']);
    expect(await text(cache.get('/', false))).toBe('/ v1');
    // Nobody waits on a render that failed: the next change's round serves the page as it was meanwhile.
    fail = false;
    version = 2;
    const next = cache.invalidate(['/']);
    expect(await text(cache.peek('/'))).toBe('/ v1');
    await next;
    expect(await text(cache.peek('/'))).toBe('/ v2');
  });
});

describe('who waits for a render', () => {
  it('marks a round’s renders as nobody’s, a reader’s or a writer’s as urgent, and hurries a round’s render a reader comes to wait for', async () => {
    const calls: { key: string; urgent: boolean }[] = [];
    const hurried: string[] = [];
    const waiting: (() => void)[] = [];
    const cache = cacheWith((key, _generation, urgent, hurry) => {
      calls.push({ key, urgent });
      hurry.now = () => hurried.push(key);
      return new Promise((resolve) => waiting.push(() => resolve({ status: 200, contentType: 'text/plain', body: Buffer.from(key) })));
    });
    const release = async () => {
      while (waiting.length > 0) {
        waiting.shift()!();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const first = cache.invalidate(['/a', '/b']);
    expect(calls).toEqual([{ key: '/a', urgent: false }]);
    // A reader of /a comes while the round's render of it waits its turn: that render goes ahead, and no second one starts.
    const reader = cache.get('/a', false);
    expect(hurried).toEqual(['/a']);
    await release();
    await reader;
    await first;
    // A page outside the round, asked for by a reader, and a round after a write here: urgent.
    calls.length = 0;
    const outside = cache.get('/c', false);
    const written = cache.invalidate(['/a'], { urgent: true });
    expect(calls).toEqual([
      { key: '/c', urgent: true },
      { key: '/a', urgent: true },
    ]);
    await release();
    await Promise.all([outside, written]);
  });
});

describe('eviction', () => {
  const instant: Renderer = async (key) => ({ status: 200, contentType: 'text/plain', body: Buffer.from(key) });

  it('keeps the page readers keep reading, however many others are rendered once', async () => {
    const cache = cacheWith(instant);
    await cache.get('/', false);
    for (let i = 0; i < 50; i++) {
      await cache.get(`/incidents/${i}`, false);
      // Nearly every read of the status page takes the peek path; it must count as a use.
      expect(cache.peek('/'), `after ${i} other pages`).toBeDefined();
    }
    expect(cache.size).toBe(10);
  });

  it('evicts the page read longest ago first', async () => {
    const cache = cacheWith(instant);
    for (let i = 0; i < 10; i++) await cache.get(`/p/${i}`, false);
    cache.peek('/p/0');
    await cache.get('/p/new', false);
    expect(cache.peek('/p/0')).toBeDefined();
    expect(cache.peek('/p/1')).toBeUndefined();
  });
});

describe('the static copy', () => {
  it('reads pages through the cache without pushing out the ones readers read', async () => {
    const instant: Renderer = async (key) => ({ status: 200, contentType: 'text/plain', body: Buffer.from(key) });
    const cache = cacheWith(instant);
    for (let i = 0; i < 8; i++) await cache.get(`/read/${i}`, false);
    for (let i = 0; i < 30; i++) expect((await cache.currentBody(`/copied/${i}`)).toString()).toBe(`/copied/${i}`);
    for (let i = 0; i < 8; i++) expect(cache.peek(`/read/${i}`), `/read/${i}`).toBeDefined();
    expect(cache.size).toBeLessThanOrEqual(10);
    // A page the copy rendered is served from memory when readers come for it.
    expect(await text(cache.peek('/copied/0'))).toBe('/copied/0');
  });
});
