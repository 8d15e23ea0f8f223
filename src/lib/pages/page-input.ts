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

/** Shown only to the viewers `viewers` lets in (see viewer-access.ts). */
const privateField = z.boolean({ invalid_type_error: 'errors.field.yesOrNo' });

const componentIdsField = z.array(publicIdField('errors.field.pickComponent'), { invalid_type_error: 'errors.field.pickComponent' });

/**
 * Who may see a private page: an address or a whole domain (`@example.com`)
 * a rule, each a group of viewers that sees the components it names (left
 * out: all of the page's). A plain string is a rule that sees them all.
 */
const viewersField = z
  .array(z.union([z.string().max(320), z.object({ pattern: z.string().max(320), componentIds: componentIdsField.nullish() })]), {
    invalid_type_error: 'errors.field.viewers',
  })
  .max(500)
  .transform((rules) =>
    rules.map((rule) =>
      typeof rule === 'string' ? { pattern: rule, componentIds: null } : { pattern: rule.pattern, componentIds: rule.componentIds ?? null },
    ),
  );

const localeField = z.enum(LOCALES, { errorMap: () => ({ message: 'errors.field.localeUnknown' }) });

export const newPageSchema = z.object({
  slug: slugField,
  name: nameField,
  hosts: hostsField.default([]),
  private: privateField.default(false),
  viewers: viewersField.default([]),
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
  viewers: viewersField.optional(),
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
