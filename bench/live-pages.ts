// Open status pages asking through the proxy as public/live.js does in poll
// mode, in a process of their own so that thousands of them fit under the
// file limit: each page keeps one connection from this process's own
// loopback address, loads the page (as a reader's browser does) for the
// version it names, asks /live.json about the version it holds and the
// current round (`?since=…&round=…`, held by the origin until the next change
// or the round's end), asks again at once when the answer names something
// new and after a pause when not, and when the version moves fetches the
// page under the address naming it (`/?v=…`).
// Tells the benchmark when every page has looked once, and, after an
// update, when every page holds the new page (wall-clock ms, comparable
// across processes).
import { brotliDecompressSync, constants } from 'node:zlib';
import { KeepAliveConnection } from './raw-http';

interface Options {
  url: string;
  localAddress: string;
  pages: number;
  pollMs: number;
  jitterMs: number;
  /** Pages open over this long, as readers arrive, not all in one instant. */
  rampMs: number;
}

const options = JSON.parse(process.argv[2]!) as Options;
const target = new URL(options.url);

interface Page {
  version: string | null;
  /** The version the page held when the benchmark said an update was coming. */
  before?: string | null;
  /** When it first held a newer page than that, and which (version and ETag). */
  updatedAt?: number;
  got?: string;
  /** What it is waiting for, and since when: shown for a page that never updated. */
  asking?: string;
  askedAt?: number;
}

/** public/live.js's rule: a higher count from the same start of the server is newer, and another start is news too. */
function isNewer(next: string, held: string | null): boolean {
  if (held === null) return true;
  const cut = (v: string) => [v.slice(0, v.lastIndexOf('.')), Number(v.slice(v.lastIndexOf('.') + 1))] as const;
  const [start, count] = cut(next);
  const [heldStart, heldCount] = cut(held);
  return start !== heldStart || count > heldCount;
}

let errors = 0;
let looked = 0;
const pages: Page[] = [];

function openPage(): void {
  const connection = new KeepAliveConnection(target, options.localAddress);
  const page: Page = { version: null };
  pages.push(page);
  let etag: string | null = null;
  let first = true;

  /** Whether the page now holds the changed page, as public/live.js's refresh says. */
  const refresh = async (changed: string): Promise<boolean> => {
    page.asking = `/?v=${changed}`;
    page.askedAt = Date.now();
    const res = await connection.get(`/?v=${encodeURIComponent(changed)}`, etag ? { 'if-none-match': etag } : {});
    page.asking = undefined;
    if (res.status === 200) etag = res.etag;
    else if (res.status !== 304) return false;
    if (page.before !== undefined && page.updatedAt === undefined && changed !== page.before) {
      page.updatedAt = Date.now();
      page.got = `${changed} ${etag}`;
    }
    return true;
  };

  let round: number | null = null;
  let failures = 0;
  const check = async () => {
    const asked = Date.now();
    let news = false;
    try {
      if (first) {
        // The page load: the version the page names is near the top, so only the start of the body is decompressed.
        const loaded = await connection.get('/');
        etag = loaded.etag;
        const head = brotliDecompressSync(loaded.body.subarray(0, 1_024), { finishFlush: constants.BROTLI_OPERATION_FLUSH }).toString();
        page.version = /data-live-version="([^"]+)"/.exec(head)?.[1] ?? null;
      }
      page.asking = page.version === null ? '/live.json' : `/live.json?since=${encodeURIComponent(page.version)}&round=${round ?? 0}`;
      page.askedAt = asked;
      const res = await connection.get(page.asking);
      page.asking = undefined;
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const latest = JSON.parse(res.body.toString()) as { version: string; round: number };
      // Rounds only forward, versions only newer, and a version counts as seen once its page arrived: as live.js.
      if (round === null || latest.round > round) {
        round = latest.round;
        news = true;
      }
      // live.js refreshes without waiting for the next question; one connection per page here, so the refresh comes first.
      if (isNewer(latest.version, page.version)) {
        if (!(await refresh(latest.version))) throw new Error('the changed page did not arrive');
        page.version = latest.version;
        news = true;
      }
      failures = 0;
    } catch {
      errors++;
      news = false;
      failures++;
    }
    if (first) {
      first = false;
      if (++looked === options.pages) process.send!({ ready: true });
    }
    const pause = (options.pollMs + Math.random() * options.jitterMs) * 2 ** Math.min(failures, 3);
    setTimeout(() => void check(), news ? 0 : Math.max(0, pause - (Date.now() - asked)));
  };
  setTimeout(() => void check(), Math.random() * options.jitterMs);
}

for (let i = 0; i < options.pages; i++) setTimeout(openPage, (i / options.pages) * options.rampMs);

process.on('message', (m: 'arm' | 'report') => {
  if (m === 'arm') for (const page of pages) page.before = page.version;
  else {
    const updated = pages.filter((p) => p.updatedAt !== undefined);
    const behind = pages
      .filter((p) => p.updatedAt === undefined)
      .slice(0, 5)
      .map((p) => `held ${p.version}${p.asking ? `, waiting ${Date.now() - p.askedAt!} ms for ${p.asking}` : ''}`);
    process.send!({ pages: pages.length, updatedAt: updated.map((p) => p.updatedAt!), got: [...new Set(updated.map((p) => p.got!))], behind, errors }, () =>
      process.exit(0),
    );
  }
});
