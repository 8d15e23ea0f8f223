// What a status page is made of, checked once for the CLI, the admin form and
// the write API alike.
import { z } from 'zod';
import { LOCALES } from '../i18n/messages';
import { nameField, publicIdField } from '../validation';

/** How a page is named in addresses, the CLI and the API: lowercase letters, digits and single hyphens inside. */
const SLUG = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;
/** A host name as a browser sends it, lowercased and without a port: labels of letters, digits and hyphens. */
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** At most this many host names per page: a product's own domain and a few aliases. */
const MAX_HOSTS = 20;

const slugField = z
  .string({ required_error: 'errors.field.pageSlug', invalid_type_error: 'errors.field.pageSlug' })
  .trim()
  .toLowerCase()
  .refine((slug) => SLUG.test(slug), 'errors.field.pageSlug');

const hostField = z
  .string({ invalid_type_error: 'errors.field.pageHost' })
  .trim()
  .toLowerCase()
  // A trailing dot names the same host (the DNS root); a port is not part of it.
  .transform((host) => host.replace(/\.$/, ''))
  .refine((host) => HOST.test(host), 'errors.field.pageHost');

export const newPageSchema = z.object({
  slug: slugField,
  name: nameField,
  hosts: z.array(hostField).max(MAX_HOSTS, 'errors.field.pageHostsTooMany').default([]),
  private: z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).default(false),
  defaultLocale: z.enum(LOCALES, { errorMap: () => ({ message: 'errors.field.localeUnknown' }) }).optional(),
  componentIds: z.array(publicIdField('errors.field.pickComponent')).default([]),
});

export type NewPage = z.input<typeof newPageSchema>;

/** The host a request names, as pages are looked up by it: lowercase, without its port or a trailing dot. */
export function hostOf(headerValue: string): string {
  const host = headerValue.trim().toLowerCase();
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  const bare = bracket >= 0 ? host.slice(0, bracket + 1) : host.replace(/:\d*$/, '');
  return bare.replace(/\.$/, '');
}
