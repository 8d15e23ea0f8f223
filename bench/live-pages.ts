// Open status pages polling through the proxy as public/live.js does in poll
// mode, in a process of their own so that thousands of them fit under the
// file limit: each page keeps one connection from this process's own
// loopback address, checks /live.json at the page's intervals, and when the
// version moves fetches the page under the address naming it (`/?v=…`).
// Tells the benchmark when every page has looked once, and, after an
// update, when every page holds the new page (wall-clock ms, comparable
// across processes).
import { Agent, request } from 'node:http';

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
const BROWSER_HEADERS = { 'accept-encoding': 'br, gzip' };

function get(agent: Agent, path: string, headers: Record<string, string>): Promise<{ status: number; etag: string | null; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(options.url + path, { agent, headers: { ...BROWSER_HEADERS, ...headers }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? null, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

interface Page {
  version: string | null;
  /** The version the page held when the benchmark said an update was coming. */
  before?: string | null;
  /** When it first held a newer page than that, and which (version and ETag). */
  updatedAt?: number;
  got?: string;
}

let errors = 0;
let looked = 0;
const pages: Page[] = [];

function openPage(): void {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: options.localAddress });
  const page: Page = { version: null };
  pages.push(page);
  let etag: string | null = null;
  let first = true;

  const refresh = async (changed: string) => {
    const res = await get(agent, `/?v=${encodeURIComponent(changed)}`, etag ? { 'if-none-match': etag } : {});
    if (res.status === 200) etag = res.etag;
    else if (res.status !== 304) return void errors++;
    if (page.before !== undefined && page.updatedAt === undefined && changed !== page.before) {
      page.updatedAt = Date.now();
      page.got = `${changed} ${etag}`;
    }
  };

  const check = async () => {
    try {
      const res = await get(agent, '/live.json', {});
      if (res.status === 200) {
        const latest = String((JSON.parse(res.body.toString()) as { version: string }).version);
        // live.js refreshes without awaiting; one connection per page here, so the refresh is awaited before the next look.
        if (latest !== page.version) await refresh(latest);
        page.version = latest;
      } else errors++;
    } catch {
      errors++;
    }
    if (first) {
      first = false;
      if (++looked === options.pages) process.send!({ ready: true });
    }
    setTimeout(() => void check(), options.pollMs + Math.random() * options.jitterMs);
  };
  setTimeout(() => void check(), Math.random() * options.jitterMs);
}

for (let i = 0; i < options.pages; i++) setTimeout(openPage, (i / options.pages) * options.rampMs);

process.on('message', (m: 'arm' | 'report') => {
  if (m === 'arm') for (const page of pages) page.before = page.version;
  else {
    const updated = pages.filter((p) => p.updatedAt !== undefined);
    process.send!({ pages: pages.length, updated: updated.length, lastAt: Math.max(...updated.map((p) => p.updatedAt!)), got: [...new Set(updated.map((p) => p.got!))], errors }, () => process.exit(0));
  }
});
