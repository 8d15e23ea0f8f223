import { z } from 'zod';
import { LOCALES, type Locale } from './messages';

/** Other languages' versions of a row's text fields: {"ja": {"name": "…"}}. */
export type Translations = Partial<Record<Locale, Record<string, string>>>;

export function parseTranslations(json: string | null | undefined): Translations {
  if (!json) return {};
  try {
    return JSON.parse(json) as Translations;
  } catch {
    return {};
  }
}

/** The field in the reader's language, falling back to the text as written. */
export function translated(translations: Translations, locale: Locale | undefined, field: string, base: string): string {
  return (locale && translations[locale]?.[field]?.trim()) || base;
}

/** Stores only non-empty texts; null when nothing is left. */
export function serializeTranslations(input: Translations | undefined): string | null {
  if (!input) return null;
  const out: Translations = {};
  for (const locale of LOCALES) {
    const fields = Object.entries(input[locale] ?? {}).filter(([, v]) => typeof v === 'string' && v.trim() !== '');
    if (fields.length > 0) out[locale] = Object.fromEntries(fields.map(([k, v]) => [k, v.trim()]));
  }
  return Object.keys(out).length > 0 ? JSON.stringify(out) : null;
}

/** Validation for translated texts sent with a write: same limits as the originals. */
export function translationsSchema(fields: Record<string, z.ZodTypeAny>) {
  return z
    .record(z.enum(LOCALES), z.object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional().or(z.literal(''))]))).strict())
    .optional();
}

/** One field of each language's translations, for writes that spread them over two rows. */
export function pick(input: Record<string, Record<string, string | undefined>> | undefined, field: string): Translations | undefined {
  if (!input) return undefined;
  const out: Translations = {};
  for (const [locale, fields] of Object.entries(input)) {
    const value = fields?.[field];
    if (value) out[locale as Locale] = { [field]: value };
  }
  return out;
}
