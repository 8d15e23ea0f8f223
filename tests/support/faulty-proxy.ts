import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type Fault = 'none' | 'drop' | 'stall';

/**
 * A TCP proxy in front of a real SMTP server that can misbehave on demand:
 * drop each new connection at once, or accept it and never say a word.
 */
export async function startFaultyProxy(target: string) {
  const { hostname, port } = new URL(target);
  let fault: Fault = 'none';
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (fault === 'drop') return client.destroy();
    if (fault === 'stall') return;
    const upstream = connect(Number(port), hostname);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next: Fault) {
      fault = next;
      // Stalled connections are cut when the fault ends, as a real network would eventually.
      if (next === 'none') for (const s of open) s.destroy();
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
