import type { checks } from '../../../db/schema';
import { t, type Locale } from '../i18n/messages';

/** A check's state in words, with a tone for the mark beside it: failing runs below the threshold are told apart from up. */
export function checkStateLabel(
  check: Pick<typeof checks.$inferSelect, 'state' | 'enabled' | 'consecutiveFailures' | 'failuresBefore'>,
  locale: Locale,
): { text: string; tone: 'up' | 'down' | 'failing' | 'unknown' | 'paused' } {
  if (!check.enabled) return { text: t(locale, 'checks.state.paused'), tone: 'paused' };
  if (check.state === 'down') return { text: t(locale, 'checks.state.down'), tone: 'down' };
  if (check.consecutiveFailures > 0)
    return { text: t(locale, 'checks.state.failing', { count: check.consecutiveFailures, max: check.failuresBefore }), tone: 'failing' };
  return check.state === 'up' ? { text: t(locale, 'checks.state.up'), tone: 'up' } : { text: t(locale, 'checks.state.unknown'), tone: 'unknown' };
}
