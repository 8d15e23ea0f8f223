import { isMessageKey, t, type Locale } from '../i18n/messages';

/** "Posted an update" for `incident.post_update`; an action without a text (a newer one) shows as it is stored. */
export function auditActionLabel(locale: Locale, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(locale, key) : action;
}

export function auditFieldLabel(locale: Locale, field: string): string {
  const key = `audit.field.${field}`;
  return isMessageKey(key) ? t(locale, key) : field;
}
