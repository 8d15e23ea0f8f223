// A render thread: runs Astro for every page render and every staff or API
// request the serving thread hands over (see render-pool.ts). It has its own
// database connection (WAL lets it read while others write) and answers only
// the serving thread, which holds the key.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../db/open';
import { registerAppContext } from '../lib/app-context';
import { CLIENT_ADDRESS_HEADER, NOW_HEADER, RENDER_HEADER, type RenderWorkerData } from './render-protocol';

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void, locals?: object) => Promise<void>;

async function main(): Promise<void> {
  const data = workerData as RenderWorkerData;
  const db = openDatabase(data.databasePath);
  // Each request carries the serving thread's clock (tests fix it); requests
  // interleave at every await, so the clock is looked up per request.
  const requestClock = new AsyncLocalStorage<number>();
  registerAppContext({ db, config: data.config, now: () => requestClock.getStore() ?? Date.now() });
  const entry = (await import(pathToFileURL(join(data.distDir, 'server', 'entry.mjs')).href)) as { handler: AstroHandler };
  const server = createServer((req, res) => {
    if (req.headers[RENDER_HEADER] !== data.renderKey) {
      res.writeHead(403).end();
      return;
    }
    // Astro reads the client's address from X-Forwarded-For; the serving thread has decided what it is.
    const client = req.headers[CLIENT_ADDRESS_HEADER];
    if (typeof client === 'string' && client) req.headers['x-forwarded-for'] = client;
    else delete req.headers['x-forwarded-for'];
    requestClock.run(Number(req.headers[NOW_HEADER]) || Date.now(), () => void entry.handler(req, res));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort!.on('message', (message: unknown) => {
    if (message === 'close') {
      server.closeAllConnections();
      server.close(() => {
        db.$client.close();
        process.exit(0);
      });
    }
  });
}

void main();
