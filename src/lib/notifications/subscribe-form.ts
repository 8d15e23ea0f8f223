import { text } from '../admin/form-input';

/** Reads the subscription form: every component, or the ones ticked. */
export function readSubscriptionForm(form: FormData) {
  return {
    email: text(form, 'email'),
    componentIds: text(form, 'scope') === 'some' ? form.getAll('componentIds').map(String) : null,
    locale: (text(form, 'locale') || 'en') as 'en' | 'ja',
    // Sent only by forms that carry it: empty means the site's zone.
    timeZone: form.has('timeZone') ? text(form, 'timeZone') : undefined,
  };
}

/** Reads the chat channel form: the platform, its webhook address, and the same choices as email. */
export function readChatChannelForm(form: FormData) {
  const { componentIds, locale } = readSubscriptionForm(form);
  return { kind: text(form, 'kind') as 'slack', url: text(form, 'url'), componentIds, locale };
}
