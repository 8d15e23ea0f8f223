import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { LOCALES } from '../i18n/messages';

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const isoDateTime = z
  .union([z.string(), z.date()])
  .transform((v, ctx) => {
    const ms = v instanceof Date ? v.getTime() : Date.parse(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'Give a date and time such as 2018-06-22T12:00:00+09:00.' });
      return z.NEVER;
    }
    return ms;
  });

export const frontMatterSchema = z
  .object({
    title: z.string({ required_error: 'Give the postmortem a title.' }).trim().min(1, 'Give the postmortem a title.').max(200),
    slug: z.string({ required_error: 'Give a slug: lowercase words joined by hyphens.' }).regex(SLUG_PATTERN, 'Use lowercase letters, digits and hyphens, such as renewal-outage.').max(80),
    date: z
      .union([z.string(), z.date()])
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Give the date as YYYY-MM-DD.')),
    incidents: z.array(z.string().regex(/^[0-9a-z]{12}$/, 'Incident ids are 12 lowercase letters and digits.')).default([]),
    summary: z.string().trim().max(1000, 'Keep the summary under 1,000 characters.').default(''),
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

export function fileNameFor(front: Pick<FrontMatter, 'date' | 'slug'>): string {
  return `${front.date}-${front.slug}.md`;
}
