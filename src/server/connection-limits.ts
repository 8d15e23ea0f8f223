import type { Server } from 'node:http';
import type { Socket } from 'node:net';
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
export const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Caps on what one client can hold open: connections in total and per
 * address, closed as they are accepted, before a byte is read; slow headers
 * and slow bodies are cut off by Node's own timers (checked every second,
 * not the default 30). A flood from one address then costs only that
 * address its connections, never everyone else their service or the process
 * its file descriptors.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): void {
  const perAddress = new Map<string, number>();
  let open = 0;
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node enforces neither limit when the headers' one is the longer.
  server.headersTimeout = Math.min(options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, server.requestTimeout);
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const mine = perAddress.get(address) ?? 0;
    if (open >= options.maxConnections || (mine >= options.maxPerAddress && !options.addresses.isProxy(address))) {
      socket.destroy();
      return;
    }
    open++;
    perAddress.set(address, mine + 1);
    socket.once('close', () => {
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });
}
