import { t, type Locale } from './messages';

/** Texts the system writes into the log itself; stored as one of these keys and said in the reader's language. */
const AUTOMATIC_TEXTS = ['maintenance_started', 'maintenance_completed', 'maintenance_cancelled'] as const;
export type AutomaticText = (typeof AUTOMATIC_TEXTS)[number];

function isAutomaticText(value: string): value is AutomaticText {
  return (AUTOMATIC_TEXTS as readonly string[]).includes(value);
}

/** An update's text: the catalog's sentence for a stored key, else what staff wrote. */
export function automaticText(key: string | null, locale: Locale | undefined, written: string): string {
  return key !== null && isAutomaticText(key) ? t(locale ?? 'en', `auto.${key}`) : written;
}
