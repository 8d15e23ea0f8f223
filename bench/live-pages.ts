// Open status pages polling through the proxy as public/live.js does in poll
// mode, in a process of their own so that thousands of them fit under the
// file limit: each page keeps one connection from this process's own
// loopback address, checks /live.json at the page's intervals, and when the
// version moves fetches the page under the address naming it (`/?v=…`).
// Tells the benchmark when every page has looked once, and, after an
// update, when every page holds the new page (wall-clock ms, comparable
// across processes).
import { connect, type Socket } from 'node:net';

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

interface Answer {
  status: number;
  etag: string | null;
  body: Buffer;
}

/**
 * One page's keep-alive connection, one request at a time, as a browser
 * tab's poll would use it. HTTP/1.1 written and read by hand for the one
 * shape nginx answers here (Content-Length, never chunked; anything else
 * fails loudly): node:http's machinery costs several times the CPU, and
 * 20,000 pages share two cores with nginx and the origin.
 */
class PageConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined;

  get(path: string, headers: Record<string, string>): Promise<Answer> {
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nAccept-Encoding: br, gzip\r\n${extra}\r\n`);
    });
  }

  private open(): Socket {
    const socket = connect({ host: target.hostname, port: Number(target.port), localAddress: options.localAddress });
    socket.setNoDelay(true);
    // Far longer than any answer may take: a browser's fetch has no limit of its own.
    socket.setTimeout(60_000, () => socket.destroy(new Error('no answer within 60 s')));
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.read();
    });
    socket.on('close', () => {
      this.socket = undefined;
      this.buffer = Buffer.alloc(0);
      this.fail(new Error('connection closed'));
    });
    socket.on('error', (error) => this.fail(error));
    this.socket = socket;
    return socket;
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  private read(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (status !== 304 && length === undefined) return void this.socket?.destroy(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
    const size = status === 304 ? 0 : Number(length);
    if (this.buffer.length < end + 4 + size) return;
    const body = this.buffer.subarray(end + 4, end + 4 + size);
    this.buffer = this.buffer.subarray(end + 4 + size);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status, etag: /\r\netag: *([^\r]+)/i.exec(head)?.[1] ?? null, body });
    if (/\r\nconnection: *close/i.test(head)) this.socket?.end();
  }
}

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

let errors = 0;
let looked = 0;
const pages: Page[] = [];

function openPage(): void {
  const connection = new PageConnection();
  const page: Page = { version: null };
  pages.push(page);
  let etag: string | null = null;
  let first = true;

  const refresh = async (changed: string) => {
    page.asking = `/?v=${changed}`;
    page.askedAt = Date.now();
    const res = await connection.get(`/?v=${encodeURIComponent(changed)}`, etag ? { 'if-none-match': etag } : {});
    page.asking = undefined;
    if (res.status === 200) etag = res.etag;
    else if (res.status !== 304) return void errors++;
    if (page.before !== undefined && page.updatedAt === undefined && changed !== page.before) {
      page.updatedAt = Date.now();
      page.got = `${changed} ${etag}`;
    }
  };

  const check = async () => {
    try {
      page.asking = '/live.json';
      page.askedAt = Date.now();
      const res = await connection.get('/live.json', {});
      page.asking = undefined;
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
    const behind = pages.filter((p) => p.updatedAt === undefined).slice(0, 5).map((p) => `held ${p.version}${p.asking ? `, waiting ${Date.now() - p.askedAt!} ms for ${p.asking}` : ''}`);
    process.send!({ pages: pages.length, updatedAt: updated.map((p) => p.updatedAt!), got: [...new Set(updated.map((p) => p.got!))], behind, errors }, () => process.exit(0));
  }
});
