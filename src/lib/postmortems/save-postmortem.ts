import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../db/open';
import { ShiraseError } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { enqueueEvent } from '../notifications/enqueue';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { fileNameFor, frontMatterSchema, serializePostmortem } from './front-matter';
import { loadPostmortems } from './load-postmortems';

export const MAX_POSTMORTEM_CHARS = 200_000;

export interface PostmortemInput {
  /** The file being edited, when it already exists. */
  originalFile?: string;
  title: string;
  slug: string;
  date: string;
  incidents: string[];
  summary: string;
  locale: string;
  body: string;
  action: 'save' | 'publish' | 'unpublish';
}

/**
 * Writes a postmortem to its Markdown file, the one source of truth whether it
 * was written here or in an editor. Publishing stamps the time once; saving
 * keeps whatever state the file had. The file is replaced with a rename, so
 * the site never reads half of it.
 */
export function savePostmortem(db: Db, dir: string, input: PostmortemInput, ctx: WriteContext): { file: string; slug: string } {
  const library = loadPostmortems(dir);
  const existing = input.originalFile ? library.all.find((p) => p.file === input.originalFile) : undefined;
  const published = input.action === 'publish' ? (existing?.published ?? ctx.now) : input.action === 'unpublish' ? null : (existing?.published ?? null);
  const front = parseInput(
    frontMatterSchema,
    { title: input.title, slug: input.slug, date: input.date, incidents: input.incidents, summary: input.summary, locale: input.locale, published: published === null ? null : new Date(published).toISOString() },
    'postmortem',
  );
  if (input.body.length > MAX_POSTMORTEM_CHARS) {
    throw new ShiraseError('VALIDATION', 'The postmortem was not saved: it is too long.', { fields: [{ field: 'body', message: `Keep it under ${MAX_POSTMORTEM_CHARS.toLocaleString('en')} characters.` }] });
  }
  const file = fileNameFor(front);
  const clash = library.bySlug.get(front.slug);
  if (clash && clash.file !== input.originalFile) {
    throw new ShiraseError('CONFLICT', `The slug "${front.slug}" is already used by ${clash.file}.`, { fields: [{ field: 'slug', message: 'Pick another slug.' }] });
  }
  if (file !== input.originalFile && existsSync(join(dir, file))) {
    throw new ShiraseError('CONFLICT', `A file named ${file} already exists.`, { fields: [{ field: 'slug', message: 'Pick another slug or date.' }] });
  }
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${file}.${process.pid}.tmp`);
  writeFileSync(temp, serializePostmortem(front, input.body));
  renameSync(temp, join(dir, file));
  if (input.originalFile && input.originalFile !== file && existsSync(join(dir, input.originalFile))) unlinkSync(join(dir, input.originalFile));
  db.transaction((tx) => {
    recordAudit(tx, ctx, {
      action: `postmortem.${input.action}`,
      entityType: 'postmortem',
      entityId: front.slug,
      before: existing ? { file: existing.file, published: existing.published ?? null } : null,
      after: { file, published: front.published ?? null, title: front.title },
    });
    // Subscribers hear of a postmortem the first time it is published, never again.
    if (input.action === 'publish' && !existing?.published) {
      enqueueEvent(tx, { kind: 'postmortem_published', incidentId: front.incidents[0], ref: front.slug, onceKey: `postmortem:${front.slug}` }, ctx.now);
    }
    bumpChangeCounter(tx);
  });
  return { file, slug: front.slug };
}
