import { text } from '../admin/form-input';

/** Reads the subscription form: every component, or the ones ticked. */
export function readSubscriptionForm(form: FormData) {
  return {
    email: text(form, 'email'),
    componentIds: text(form, 'scope') === 'some' ? form.getAll('componentIds').map(String) : null,
    locale: (text(form, 'locale') || 'en') as 'en' | 'ja',
  };
}
