import { createServer as createHttpServer, request } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { closedWithin, openSocket, rawRequest } from '../support/raw-http';
import { limitConnections } from '../../src/server/connection-limits';
import { clientAddresses } from '../../src/server/client-address';

interface Stream {
  status: number;
  closed: Promise<void>;
  close: () => void;
}

/** Opens `/events` and resolves once its answer starts. */
function openStream(base: string, options: { localAddress?: string; forwardedFor?: string } = {}): Promise<Stream> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/events',
        localAddress: options.localAddress,
        headers: options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {},
      },
      (res) => {
        const closed = new Promise<void>((done) => res.once('close', () => done()));
        res.resume();
        resolve({ status: res.statusCode ?? 0, closed, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Whether a promise settles within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('at MAX_CONNECTIONS, silent connections make room for readers', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: true, env: { MAX_CONNECTIONS: '40', MAX_CONNECTIONS_PER_ADDRESS: '10' } });
  });
  afterAll(() => site?.close());

  it('a new reader gets the page while four addresses hold every slot with silent and half-sent sockets, which go longest silent first', async () => {
    const stream = await openStream(site.url, { localAddress: '127.0.0.30' });
    expect(stream.status).toBe(200);
    const held: Socket[] = [];
    try {
      // 4 addresses × 10 sockets, each address at its own cap, with the stream more than the 40 slots.
      for (const n of [31, 32, 33, 34]) {
        for (let i = 0; i < 10; i++) {
          const socket = await openSocket(site.url, `127.0.0.${n}`);
          socket.on('error', () => {});
          // Half of them begin a request and never finish its headers.
          if (i % 2) socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
          held.push(socket);
        }
      }
      for (let reader = 0; reader < 5; reader++) {
        const answer = await rawRequest(site.url, '/', { localAddress: `127.0.0.${40 + reader}`, headers: { connection: 'close' } });
        expect(answer.status).toBe(200);
      }
      // The stream and 40 sockets: the 40th closed the first, and a reader arriving at a full server one more, the longest silent first.
      const closed = (await Promise.all(held.map((s) => closedWithin(s, 100)))).map((ms) => ms !== null);
      const count = closed.filter(Boolean).length;
      expect(count).toBeGreaterThanOrEqual(2);
      expect(count).toBeLessThanOrEqual(6);
      expect(closed, 'the longest silent are closed, the rest kept').toEqual(held.map((_, i) => i < count));
      expect(await settlesWithin(stream.closed, 200), 'the live stream, an answer in progress, is kept').toBe(false);
    } finally {
      stream.close();
      for (const s of held) s.destroy();
    }
  });
});

describe('on ::1', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: true, env: { HOST: '::1', MAX_CONNECTIONS: '16', MAX_CONNECTIONS_PER_ADDRESS: '100' } });
  });
  afterAll(() => site?.close());

  it('a reader still gets in after silent sockets fill every slot', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        const socket = await openSocket(site.url, '::1');
        socket.on('error', () => {});
        held.push(socket);
      }
      for (let reader = 0; reader < 3; reader++) {
        expect((await rawRequest(site.url, '/', { localAddress: '::1', headers: { connection: 'close' } })).status).toBe(200);
      }
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

describe('behind a trusted proxy, clients from one IPv6 /64 share one allowance', () => {
  let site: TestSite;
  beforeAll(async () => {
    // A quarter of 8: two live streams per client.
    site = await startTestSite({ seed: true, env: { TRUST_PROXY: '1', MAX_CONNECTIONS_PER_ADDRESS: '8' } });
  });
  afterAll(() => site?.close());

  const startPost = async (forwardedFor: string, bodyBytes: number, length: number): Promise<Socket> => {
    const socket = await openSocket(site.url);
    socket.on('error', () => {});
    socket.write(
      `POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${forwardedFor}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
    );
    if (bodyBytes) socket.write(Buffer.alloc(bodyBytes, 'a'));
    return socket;
  };
  const answerOf = (socket: Socket): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text.split('\r\n')[0]!);
      });
      socket.once('close', () => resolve(text.split('\r\n')[0] ?? ''));
    });

  it('in requests waiting on the render threads', async () => {
    const held = await Promise.all(Array.from({ length: 16 }, (_, i) => startPost(`2001:db8:1:2::${(i + 1).toString(16)}`, 1, 100)));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const sameNetwork = await startPost('2001:db8:1:2:ffff::1', 1, 100);
      expect(await answerOf(sameNetwork)).toBe('HTTP/1.1 429 Too Many Requests');
      const otherNetwork = await rawRequest(site.url, '/admin/login', { headers: { 'x-forwarded-for': '2001:db8:1:3::1' } });
      expect(otherNetwork.status).toBe(200);
      sameNetwork.destroy();
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('in memory for bodies being read', async () => {
    // Four bodies of 1 MiB less a byte, never finished: the /64's whole share.
    const held = await Promise.all(Array.from({ length: 4 }, (_, i) => startPost(`2001:db8:5:6::${i + 1}`, 1024 * 1024 - 1, 1024 * 1024)));
    try {
      await new Promise((r) => setTimeout(r, 500));
      const sameNetwork = await startPost('2001:db8:5:6::99', 64 * 1024, 1024 * 1024);
      expect(await answerOf(sameNetwork)).toBe('HTTP/1.1 503 Service Unavailable');
      const otherNetwork = await startPost('2001:db8:5:7::1', 64 * 1024, 64 * 1024);
      // Read whole and handed on: the API refuses the body itself.
      expect(await answerOf(otherNetwork)).toBe('HTTP/1.1 400 Bad Request');
      sameNetwork.destroy();
      otherNetwork.destroy();
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it('in live event streams', async () => {
    const streams: Stream[] = [];
    try {
      for (const host of ['2001:db8:9:9::1', '2001:db8:9:9::2', '2001:db8:9:9:8000::3', '2001:db8:9:a::1'])
        streams.push(await openStream(site.url, { forwardedFor: host }));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 503, 200]);
    } finally {
      for (const s of streams) s.close();
    }
  });
});

describe('connections are counted by the same key', () => {
  it('an IPv6 /64 holds MAX_CONNECTIONS_PER_ADDRESS connections, whatever addresses it uses', async () => {
    // The real limiter on a real HTTP server; loopback has one IPv6 address, so each
    // connection is given the address a client in a /64 would arrive from.
    const http = createHttpServer((_req, res) => res.end('ok'));
    limitConnections(http, { maxConnections: 100, maxPerAddress: 3, addresses: clientAddresses(null) });
    const spoofed: string[] = [];
    const tcp = createTcpServer((socket) => {
      Object.defineProperty(socket, 'remoteAddress', { value: spoofed.shift() });
      http.emit('connection', socket);
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as AddressInfo).port;
    const open = async (address: string) => {
      spoofed.push(address);
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      return socket;
    };
    const held: Socket[] = [];
    try {
      for (const a of ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:1:2:3:4']) held.push(await open(a));
      const fourth = await open('2001:db8:7:7:ffff::9');
      const elsewhere = await open('2001:db8:7:8::1');
      held.push(fourth, elsewhere);
      expect(await closedWithin(fourth, 1_000), 'a fourth connection from the /64 is closed').not.toBeNull();
      expect(await closedWithin(elsewhere, 200), 'another /64 is let in').toBeNull();
    } finally {
      for (const s of held) s.destroy();
      http.close();
      await new Promise((r) => tcp.close(r));
    }
  });
});
