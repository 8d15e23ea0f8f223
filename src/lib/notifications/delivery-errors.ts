import { t, type Locale, type MessageKey } from '../i18n/messages';
import { WEBHOOK_FAILURES, type WebhookFailure } from './webhook-request';

/** Rows the worker did not send because the recipient left or was disabled after queueing carry this prefix. */
export const SKIPPED_PREFIX = 'skipped:';

/**
 * What staff read about a failed delivery. Webhooks and push services show their failure class
 * only; SMTP answers come from the site's own mail server and are shown as
 * they were given.
 */
export function describeDeliveryError(locale: Locale, channel: 'email' | 'webhook' | 'push', lastError: string | null): string {
  if (!lastError) return '';
  const [code, detail] = lastError.split(':', 2) as [string, string | undefined];
  // A push service is posted to the way a webhook is, and fails the same ways.
  if (channel === 'webhook' || channel === 'push') {
    const known = (WEBHOOK_FAILURES as readonly string[]).includes(code) ? (code as WebhookFailure) : 'connection_failed';
    return t(locale, `delivery.error.${known}` as MessageKey, { status: detail ?? '' });
  }
  return lastError;
}
