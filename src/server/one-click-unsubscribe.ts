import type { ServerResponse } from 'node:http';
import type { Db } from '../../db/open';
import { ShiraseError } from '../lib/errors';
import { unsubscribe } from '../lib/notifications/subscriptions';

/**
 * RFC 8058 one-click unsubscribe: mail providers POST to the List-Unsubscribe
 * URL with no cookies and from no page of ours, so this is answered here,
 * before the application's cross-site form check. The signed token is the
 * only credential; a forged or altered one changes nothing.
 */
export function oneClickUnsubscribe(res: ServerResponse, url: URL, db: Db, now: number, headers: Record<string, string>): void {
  try {
    unsubscribe(db, url.searchParams.get('token'), now);
    res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('You have been unsubscribed. No more status emails will be sent to this address.\n');
  } catch (error) {
    const status = error instanceof ShiraseError && error.code === 'NOT_FOUND' ? 404 : 403;
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(error instanceof ShiraseError ? `${error.message}\n` : 'This unsubscribe link is not valid.\n');
  }
}
