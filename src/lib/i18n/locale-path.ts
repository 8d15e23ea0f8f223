import { isLocale, type Locale } from './messages';

/** Splits `/ja/history` into its locale prefix and the path the pages know (`/history`). */
export function splitLocalePath(pathname: string): { locale: Locale | null; rest: string } {
  const match = /^\/([a-z]{2})(\/.*)?$/.exec(pathname);
  if (match && isLocale(match[1]!)) return { locale: match[1]! as Locale, rest: match[2] ?? '/' };
  return { locale: null, rest: pathname };
}

/**
 * The language an Accept-Language header asks for, among the ones Shirase
 * speaks, weighing q-values; the fallback when it names none of them.
 */
export function negotiateLocale(header: string | null | undefined, fallback: Locale): Locale {
  if (!header) return fallback;
  let best: { locale: Locale; q: number } | null = null;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    );
    const base = tag?.split('-')[0] ?? '';
    if (isLocale(base) && q > 0 && (!best || q > best.q)) best = { locale: base, q };
  }
  return best?.locale ?? fallback;
}

/** A path in a locale: prefixed, except in the default locale when the reader did not ask for a prefix. */
export function localizedPath(prefix: string, path: string): string {
  return prefix ? (path === '/' ? `${prefix}/` : `${prefix}${path}`) : path;
}

/** A feed's address in a language: feeds are never negotiated, so another language than the site's is always prefixed. */
export function feedPath(locale: Locale, defaultLocale: Locale, path = '/feed.rss'): string {
  return locale === defaultLocale ? path : `/${locale}${path}`;
}
