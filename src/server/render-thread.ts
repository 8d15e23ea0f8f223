// A render thread: runs Astro for the requests the serving thread hands over
// as messages (see render-pool.ts). It has its own database connection (WAL
// lets it read while others write) and no listener of its own: a message on
// its port is the only way in.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/open';
import { createRenderer } from './render-request';
import type { RenderThreadData, ToThread, FromThread } from './render-pool';

const data = workerData as RenderThreadData;
const port = parentPort!;
const db = openDatabase(data.config.databasePath, { maxBytes: data.config.databaseMaxBytes });
const render = await createRenderer({ db, environment: data.config, distDir: data.distDir });

const reply = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToThread) => {
  if (message === 'close') {
    db.$client.close();
    process.exit(0);
  }
  render(message.request).then(
    // The body's bytes move to the serving thread rather than being copied.
    (answer) => reply({ id: message.id, answer }, [answer.body.buffer]),
    (error: unknown) => reply({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
reply('ready');
