import type { ServerResponse } from 'node:http';
import type { Db } from '../../db/open';
import { ShiraseError } from '../lib/errors';
import { t } from '../lib/i18n/messages';
import { unsubscribe } from '../lib/notifications/subscriptions';

/** Mail providers send no language preference: the answer is in both languages. */
function bilingual(en: string[], ja: string[]): string {
  return `${en.join('\n')}\n\n${ja.join('\n')}\n`;
}

/**
 * RFC 8058 one-click unsubscribe: mail providers POST to the List-Unsubscribe
 * URL with no cookies and from no page of ours, so this is answered here,
 * before the application's cross-site form check. The signed token is the
 * only credential; a forged, altered or replaced one changes nothing.
 */
export function oneClickUnsubscribe(res: ServerResponse, url: URL, db: Db, now: number, headers: Record<string, string>): void {
  const reply = (status: number, body: string) => {
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
  try {
    unsubscribe(db, url.searchParams.get('token'), now);
    reply(
      200,
      bilingual(
        [t('en', 'subscribe.unsubscribedTitle'), t('en', 'subscribe.unsubscribedBody')],
        [t('ja', 'subscribe.unsubscribedTitle'), t('ja', 'subscribe.unsubscribedBody')],
      ),
    );
  } catch (error) {
    if (!(error instanceof ShiraseError)) throw error;
    const status = error.code === 'NOT_FOUND' ? 404 : 403;
    const lines = (locale: 'en' | 'ja') => {
      const said = error.localized(locale);
      return said.hint ? [said.message, said.hint] : [said.message];
    };
    reply(status, bilingual(lines('en'), lines('ja')));
  }
}
