import { LOCALES, t, type MessageKey } from './messages';

/**
 * A text Shirase writes into an incident's log itself (a maintenance window
 * beginning, ending or cancelled): stored in English like the catalog's
 * source, with every other language as its translation, so readers and
 * subscribers get it in theirs.
 */
export function systemText(key: MessageKey): { body: string; translations: Record<string, { body: string }> } {
  const translations = Object.fromEntries(LOCALES.filter((l) => l !== 'en').map((l) => [l, { body: t(l, key) }]));
  return { body: t('en', key), translations };
}
