// A browser turning notifications on (POST) or off (DELETE); public/push.js calls these.
import { readerEndpoint } from '../../lib/api/v1/endpoint';
import { subscribeBrowser, unsubscribeBrowser } from '../../lib/notifications/browser-push';

export const POST = readerEndpoint(({ db, config, page, now, body, client }) => {
  subscribeBrowser(db, body, page, client, now, { extraHosts: config.pushServiceHosts, allowPrivate: config.webhookAllowPrivate });
  return { status: 201, body: { state: 'on' } };
});

export const DELETE = readerEndpoint(({ db, now, body }) => {
  unsubscribeBrowser(db, body.endpoint, now);
  return { status: 204, body: null };
});
