// A lean HTTP/1.1 client for the benchmark's load processes: one keep-alive
// connection, one request at a time, written and read by hand for the one
// shape nginx answers here (Content-Length, never chunked; anything else
// fails loudly). node:http's machinery costs several times the CPU, and
// the generators share two cores with nginx and the origin.
import { connect, type Socket } from 'node:net';

/**
 * Every connection of the process reads into this one buffer (net's
 * `onread`, without the stream machinery and a new Buffer per read); what a
 * read leaves unfinished, and each body, is copied out before the next read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export interface Answer {
  status: number;
  etag: string | null;
  body: Buffer;
}

export class KeepAliveConnection {
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly target: URL,
    /** The loopback source address, so that many processes' connections are told apart (and each stays under its file limit). */
    private readonly localAddress?: string,
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.target.host}\r\nAccept-Encoding: br, gzip\r\n${extra}\r\n`);
    });
  }

  private open(): Socket {
    // No time limit, as a browser's fetch has none (nginx keeps a live page's question until the next change);
    // the benchmark reports a page still waiting, and for what.
    const socket = connect({
      host: this.target.hostname,
      port: Number(this.target.port),
      localAddress: this.localAddress,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (size: number, buffer: Uint8Array): boolean => {
          const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, size);
          this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
          this.read();
          // Whatever is left waits for the next read, which reuses the shared buffer: it is copied now.
          if (this.buffer.buffer === READ_BUFFER.buffer) this.buffer = Buffer.from(this.buffer);
          // Keep reading.
          return true;
        },
      },
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.buffer = Buffer.alloc(0);
      this.fail(new Error('connection closed'));
    });
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error);
    });
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
    // A copy: the shared read buffer is overwritten by the next read, before the caller looks.
    const body = Buffer.from(this.buffer.subarray(end + 4, end + 4 + size));
    this.buffer = this.buffer.subarray(end + 4 + size);
    const waiting = this.waiting;
    this.waiting = undefined;
    // A server closing after this answer (nginx does after keepalive_requests): the next request opens a new connection.
    if (/\r\nconnection: *close/i.test(head)) {
      this.socket?.end();
      this.socket = undefined;
      this.buffer = Buffer.alloc(0);
    }
    waiting.resolve({ status, etag: /\r\netag: *([^\r]+)/i.exec(head)?.[1] ?? null, body });
  }
}
