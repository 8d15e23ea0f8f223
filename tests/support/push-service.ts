// A real Web Push service on loopback: web-push-testing checks each message's
// VAPID signature against the key the subscription was made with, decrypts
// it (RFC 8291) with the subscription's private key, and keeps the plain
// text. No public push service is reachable from the test machines.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

const require = createRequire(import.meta.url);
const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as { PushApiModel: new () => { notifyUrl: string } };
const WebPushTestingServer = require('web-push-testing/src/server.js') as new (
  model: unknown,
  port: number,
) => { _app: { listen(port: number, host: string, done: () => void): Server }; setRequestHandlers(): void };

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  clientHash: string;
}

export async function startPushService() {
  const model = new PushApiModel();
  const service = new WebPushTestingServer(model, 0);
  service.setRequestHandlers();
  const server = await new Promise<Server>((resolve) => {
    const listening: Server = service._app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Endpoints name the loopback address the service listens on, not "localhost" (which may be ::1).
  model.notifyUrl = `${url}/notify/`;
  // The service takes its options as strings, the way a form would send them.
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`push service ${path}: ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { data: unknown }).data : undefined;
  };
  return {
    url,
    host: new URL(url).host,
    /** What a browser's pushManager.subscribe() gets from its push service for this application server key. */
    subscribe: (applicationServerKey: string) => call('/subscribe', { userVisibleOnly: 'true', applicationServerKey }) as Promise<BrowserSubscription>,
    /** The plain text of every message the subscription received, in order. */
    messages: async (clientHash: string) => ((await call('/get-notifications', { clientHash })) as { messages: string[] }).messages,
    /** The browser unsubscribed: the service answers 410 from now on. */
    expire: (clientHash: string) => call(`/expire-subscription/${clientHash}`, {}),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
