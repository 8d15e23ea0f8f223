import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { publicIdField } from '../validation';
import { z } from 'zod';
import { LOCALES } from '../i18n/messages';
import { hasControlCharacters } from '../control-characters';

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The editor's fields carry the same limits (maxlength). */
export const MAX_TITLE_CHARS = 200;
export const MAX_SLUG_CHARS = 80;
export const MAX_SUMMARY_CHARS = 1000;

const isoDateTime = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'errors.field.frontMatterDate' });
    return z.NEVER;
  }
  return ms;
});

export const frontMatterSchema = z
  .object({
    title: z
      .string({ required_error: 'errors.field.titleRequired' })
      .trim()
      .min(1, 'errors.field.titleRequired')
      .max(MAX_TITLE_CHARS)
      .refine((title) => !hasControlCharacters(title), 'errors.field.controlCharacters'),
    slug: z.string({ required_error: 'errors.field.slugRequired' }).regex(SLUG_PATTERN, 'errors.field.slugFormat').max(MAX_SLUG_CHARS),
    date: z
      .union([z.string(), z.date()])
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'errors.field.dateOnlyFormat')),
    incidents: z.array(publicIdField('errors.field.incidentIds')).default([]),
    summary: z.string().trim().max(MAX_SUMMARY_CHARS, 'errors.field.summaryTooLong').default(''),
    published: isoDateTime.nullish(),
    locale: z.enum(LOCALES).default('en'),
  })
  .strict();

export type FrontMatter = z.output<typeof frontMatterSchema>;

export interface ParsedDocument {
  data: unknown;
  body: string;
}

/** Splits `---` YAML front matter from the Markdown after it. */
export function splitFrontMatter(source: string): ParsedDocument {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) throw new Error('The file must start with front matter between two "---" lines.');
  return { data: parseYaml(match[1]!) ?? {}, body: match[2]! };
}

/** The file text for a postmortem: front matter, then the Markdown body. */
export function serializePostmortem(front: FrontMatter, body: string): string {
  const data: Record<string, unknown> = {
    title: front.title,
    slug: front.slug,
    date: front.date,
    incidents: front.incidents,
    summary: front.summary,
    published: front.published ? new Date(front.published).toISOString() : null,
    locale: front.locale,
  };
  return `---\n${stringifyYaml(data).trimEnd()}\n---\n\n${body.trim()}\n`;
}

/**
 * A slug made from a title, for an editor who left the slug empty: ASCII
 * letters and digits joined by single hyphens ("API down for 20 minutes" is
 * `api-down-for-20-minutes`). A title with none (all Japanese) gives the
 * date's: `postmortem-2018-06-22`.
 */
export function slugFromTitle(title: string, date: string): string {
  const words = title
    .normalize('NFKD')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG_CHARS) break;
    slug = next;
  }
  if (slug) return slug;
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `postmortem-${date}` : 'postmortem';
}

export function fileNameFor(front: Pick<FrontMatter, 'date' | 'slug'>): string {
  return `${front.date}-${front.slug}.md`;
}
