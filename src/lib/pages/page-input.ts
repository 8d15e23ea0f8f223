// What a status page is made of, checked once for the CLI, the admin form and
// the write API alike.
import { z } from 'zod';
import { versionField } from '../edit-version';
import { LOCALES } from '../i18n/messages';
import { keyed, nameField, publicIdField } from '../validation';

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

/** As much of a refused host name as its message repeats. */
const SHOWN_HOST_CHARS = 80;

const hostField = z
  .string({ invalid_type_error: 'errors.field.pageHost' })
  .trim()
  .toLowerCase()
  // A trailing dot names the same host (the DNS root); a port is not part of it.
  .transform((host) => host.replace(/\.$/, ''))
  .superRefine((host, ctx) => {
    if (HOST.test(host)) return;
    const shown = host.length > SHOWN_HOST_CHARS ? `${host.slice(0, SHOWN_HOST_CHARS)}…` : host;
    ctx.addIssue({ code: 'custom', message: keyed('errors.field.pageHost', { host: shown }) });
  });

const hostsField = z.array(hostField, { invalid_type_error: 'errors.field.pageHosts' }).max(MAX_HOSTS, 'errors.field.pageHostsTooMany');

/**
 * Refused whatever the way in (the CLI, the admin form, the API): a private
 * page is meant for signed-in viewers, and until viewer sign-in exists it
 * would be served to everyone.
 */
const privateField = z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).refine((isPrivate) => !isPrivate, 'errors.field.pagePrivateNotYet');

const localeField = z.enum(LOCALES, { errorMap: () => ({ message: 'errors.field.localeUnknown' }) });

const componentIdsField = z.array(publicIdField('errors.field.pickComponent'), { invalid_type_error: 'errors.field.pickComponent' });

export const newPageSchema = z.object({
  slug: slugField,
  name: nameField,
  hosts: hostsField.default([]),
  private: privateField.default(false),
  defaultLocale: localeField.nullish(),
  componentIds: componentIdsField.default([]),
});

export type NewPage = z.input<typeof newPageSchema>;

/**
 * A change to a page: only what is given changes. `hosts` and
 * `componentIds` replace the page's lists; `defaultLocale: null` gives the
 * page the site's language again.
 */
export const pageEditSchema = z.object({
  slug: slugField.optional(),
  name: nameField.optional(),
  hosts: hostsField.optional(),
  private: privateField.optional(),
  defaultLocale: localeField.nullable().optional(),
  componentIds: componentIdsField.optional(),
  version: versionField,
});

export type PageEdit = z.input<typeof pageEditSchema>;

/** The host a request names, as pages are looked up by it: lowercase, without its port or a trailing dot. */
export function hostOf(headerValue: string): string {
  const host = headerValue.trim().toLowerCase();
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  const bare = bracket >= 0 ? host.slice(0, bracket + 1) : host.replace(/:\d*$/, '');
  return bare.replace(/\.$/, '');
}
