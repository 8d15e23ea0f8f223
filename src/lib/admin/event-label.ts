import { isMessageKey, t, type Locale } from '../i18n/messages';

/** What a notification event is called on staff screens, in the reader's language. */
export function eventKindLabel(locale: Locale, kind: string): string {
  const key = `admin.dashboard.event.${kind}`;
  return isMessageKey(key) ? t(locale, key) : kind.replace(/_/g, ' ');
}
