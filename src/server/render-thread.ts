// Renders public pages on a thread of its own, so the thread that serves
// bytes from memory never stalls while a page is being rendered. It has its
// own read connection to the database (WAL lets it read while others write)
// and answers only the main thread, which holds the key.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../db/open';
import { registerAppContext } from '../lib/app-context';
import { NOW_HEADER, RENDER_HEADER, type RenderWorkerData } from './render-protocol';


type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void, locals?: object) => Promise<void>;

async function main(): Promise<void> {
  const data = workerData as RenderWorkerData;
  const db = openDatabase(data.databasePath);
  let requestNow = Date.now();
  registerAppContext({ db, config: data.config, now: () => requestNow });
  const entry = (await import(pathToFileURL(join(data.distDir, 'server', 'entry.mjs')).href)) as { handler: AstroHandler };
  const server = createServer((req, res) => {
    if (req.headers[RENDER_HEADER] !== data.renderKey) {
      res.writeHead(403).end();
      return;
    }
    requestNow = Number(req.headers[NOW_HEADER]) || Date.now();
    void entry.handler(req, res);
  });
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
