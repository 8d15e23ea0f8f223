import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../lib/auth/address-key';
import type { ClientAddresses } from './client-address';

export interface ConnectionLimitOptions {
  maxConnections: number;
  maxPerAddress: number;
  /** Connections from trusted proxies carry many clients each and are not capped per address. */
  addresses: ClientAddresses;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** How long a client may take to send a request's headers, and the whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Caps on what one client can hold open: connections in total and per
 * address (an IPv6 client by its /64, see addressKey), closed as they are
 * accepted, before a byte is read; slow headers and slow bodies are cut off
 * by Node's own timers (checked every second, not the default 30). A flood
 * from one address then costs only that address its connections, never
 * everyone else their service or the process its file descriptors.
 *
 * At the total cap a new connection still gets in: the connection that has
 * waited longest without a request being answered (silent, half-sent, idle
 * between requests, or still sending its body) is closed to make room. Many
 * addresses holding silent sockets then push each other out, while a reader
 * who sends a request at once is answered, and answers in progress (pages,
 * live streams, held questions) are never cut.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): void {
  const perAddress = new Map<string, number>();
  // Every open connection counted against the caps, with its address's key.
  const counted = new Map<Socket, string>();
  // Connections with no request being answered, in the order they fell quiet (a Set keeps insertion order).
  const quiet = new Set<Socket>();
  // Connections answering requests, with how many (pipelining sends several) and the latest one.
  const busy = new Map<Socket, { answering: number; latest: IncomingMessage }>();

  /** Stops counting a connection, at once when it is dropped (its close comes later) or when it closes. */
  const release = (socket: Socket) => {
    const key = counted.get(socket);
    if (key === undefined) return;
    counted.delete(socket);
    quiet.delete(socket);
    busy.delete(socket);
    const left = (perAddress.get(key) ?? 1) - 1;
    if (left > 0) perAddress.set(key, left);
    else perAddress.delete(key);
  };
  const drop = (socket: Socket) => {
    release(socket);
    socket.destroy();
  };
  /** Closes the connection that has waited longest with nothing complete to answer; false when every one is answering. */
  const dropQuietest = (): boolean => {
    const oldest = quiet.values().next();
    if (!oldest.done) {
      drop(oldest.value);
      return true;
    }
    // Rare: every connection has a request, so only those whose body is still arriving may go.
    for (const [socket, state] of busy) {
      if (!state.latest.complete) {
        drop(socket);
        return true;
      }
    }
    return false;
  };

  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node enforces neither limit when the headers' one is the longer.
  server.headersTimeout = Math.min(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, server.requestTimeout);
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const key = addressKey(address);
    const mine = perAddress.get(key) ?? 0;
    if ((mine >= options.maxPerAddress && !options.addresses.isProxy(address)) || (counted.size >= options.maxConnections && !dropQuietest())) {
      socket.destroy();
      return;
    }
    counted.set(socket, key);
    perAddress.set(key, mine + 1);
    quiet.add(socket);
    socket.once('close', () => release(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!counted.has(socket)) return;
    quiet.delete(socket);
    const state = busy.get(socket);
    if (state) {
      state.answering++;
      state.latest = req;
    } else busy.set(socket, { answering: 1, latest: req });
    res.once('close', () => {
      const now = busy.get(socket);
      if (!now || --now.answering > 0 || socket.destroyed || !counted.has(socket)) return;
      busy.delete(socket);
      // Idle between requests: it joins the quiet ones as the newest.
      quiet.add(socket);
    });
  });
}
