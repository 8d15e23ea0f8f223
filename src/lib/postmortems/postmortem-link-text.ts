import { LOCALES, t, type Locale } from '../i18n/messages';
import { trimTrailing } from '../text/trim-trailing';

// The word the catalog puts before a postmortem's title ("Postmortem", "障害報告"),
// in every language: authors often start the title with it already.
const LEADING_WORDS = LOCALES.map((l) => trimTrailing(t(l, 'postmortem.read', { title: '' }), (c) => c === ':' || c === '：' || c.trim() === ''));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ALREADY_NAMED = new RegExp(`^\\s*(?:${LEADING_WORDS.map(escapeRegExp).join('|')})\\s*[:：]`, 'iu');

/** A title without the "Postmortem:" its author may have started it with, for texts that say the word themselves. */
export function postmortemTitleUnlabelled(title: string): string {
  return title.replace(ALREADY_NAMED, '').trim() || title.trim();
}

/** A link to a postmortem: "Postmortem: {title}", or the title alone when it already says so. */
export function postmortemLinkText(title: string, locale: Locale): string {
  return ALREADY_NAMED.test(title) ? title.trim() : t(locale, 'postmortem.read', { title });
}
