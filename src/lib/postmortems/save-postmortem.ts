import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { writePrivateFile } from '../private-files';
import type { Db } from '../../../db/open';
import { ShiraseError, editConflict, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { enqueueEvent } from '../notifications/enqueue';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { fileNameFor, frontMatterSchema, serializePostmortem } from './front-matter';
import { loadPostmortems, type PostmortemSources } from './load-postmortems';
import { postmortemFolder, type PostmortemFolder } from './postmortem-path';

export const MAX_POSTMORTEM_CHARS = 200_000;

export interface PostmortemInput {
  /** The file being edited, when it already exists: only ever looked up among the folder's postmortems. */
  originalFile?: string;
  /** The version of that file the editor started from; a save over a newer one is a CONFLICT. */
  version?: string;
  title: string;
  slug: string;
  date: string;
  incidents: string[];
  summary: string;
  locale: string;
  body: string;
  action: 'save' | 'publish' | 'unpublish';
  /** Whether publishing emails subscribers: staff say yes each time (a report may be for the record only). */
  notify?: boolean;
}

/** Writes `text` to `name` in the folder through a temporary file and a rename, so no reader sees half of it. */
function replaceFile(folder: PostmortemFolder, name: string, text: string): void {
  const temp = folder.path(`.${name}.${process.pid}.tmp`);
  try {
    // The owner's only, as a restore leaves them: an unpublished report is not for other accounts on the machine.
    writePrivateFile(folder.path(name), text, temp);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
}

/**
 * Writes a postmortem to its Markdown file, the one source of truth whether it
 * was written here or in an editor. Publishing stamps the time once; saving
 * keeps whatever state the file had.
 *
 * The file and the database change together: the audit row, the notification
 * and the change counter are written first, and replacing the file is the
 * transaction's last step. If that or the commit fails, the files are put back
 * as they were, so a failure leaves neither a live page nor an audit row, and
 * a retry publishes and notifies (once: the event's once-key decides, not the
 * file's published stamp). The transaction's write lock also orders two
 * editors' saves, so the version check cannot race.
 */
/**
 * Saves into the data folder. Editing a shipped postmortem (the demo's)
 * saves an edited copy there under the same name, which the library then
 * reads instead; its date and slug, which name the file, stay as shipped,
 * since the shipped file itself is never changed or removed.
 */
export function savePostmortem(db: Db, sources: PostmortemSources | string, input: PostmortemInput, ctx: WriteContext): { file: string; slug: string } {
  const { dir, shipped } = typeof sources === 'string' ? { dir: sources, shipped: undefined } : sources;
  if (input.body.length > MAX_POSTMORTEM_CHARS) {
    throw new ShiraseError('VALIDATION', 'errors.postmortem.tooLong', {
      fields: [fieldIssue('body', 'errors.field.tooLong', { max: MAX_POSTMORTEM_CHARS.toLocaleString('en') })],
    });
  }
  const folder = postmortemFolder(dir, { create: true });
  const undo: (() => void)[] = [];
  try {
    return db.transaction((tx) => {
      const library = loadPostmortems({ dir: folder.root, shipped });
      const existing = input.originalFile === undefined ? undefined : library.all.find((p) => p.file === input.originalFile);
      if (input.originalFile !== undefined && !existing) {
        folder.path(input.originalFile);
        throw new ShiraseError('NOT_FOUND', 'errors.postmortem.gone', { hint: 'errors.postmortem.gone.hint' });
      }
      if (existing && input.version && input.version !== existing.version) {
        throw editConflict({ version: existing.version, values: { title: existing.title, summary: existing.summary, body: existing.body } });
      }
      const published = input.action === 'publish' ? (existing?.published ?? ctx.now) : input.action === 'unpublish' ? null : (existing?.published ?? null);
      const front = parseInput(
        frontMatterSchema,
        {
          title: input.title,
          slug: input.slug,
          date: input.date,
          incidents: input.incidents,
          summary: input.summary,
          locale: input.locale,
          published: published === null ? null : new Date(published).toISOString(),
        },
        'postmortem',
      );
      const file = fileNameFor(front);
      if (existing?.shipped && existing.file !== file) {
        throw new ShiraseError('CONFLICT', 'errors.postmortem.shippedName', {
          params: { file: existing.file },
          fields: [fieldIssue('slug', 'errors.field.shippedName')],
        });
      }
      const clash = library.bySlug.get(front.slug);
      if (clash && clash.file !== existing?.file) {
        throw new ShiraseError('CONFLICT', 'errors.postmortem.slugTaken', {
          params: { slug: front.slug, file: clash.file },
          fields: [fieldIssue('slug', 'errors.field.pickAnotherSlug')],
        });
      }
      const target = folder.path(file);
      if (file !== existing?.file && existsSync(target)) {
        throw new ShiraseError('CONFLICT', 'errors.postmortem.fileExists', {
          params: { file },
          fields: [fieldIssue('slug', 'errors.field.pickAnotherSlugOrDate')],
        });
      }

      recordAudit(tx, ctx, {
        action: `postmortem.${input.action}`,
        entityType: 'postmortem',
        entityId: front.slug,
        before: existing ? { file: existing.file, published: existing.published ?? null } : null,
        after: { file, published: front.published ?? null, title: front.title },
      });
      // Subscribers hear of a report once, when staff ask: its translations (the
      // same incidents in another language) are the same report, and each
      // subscriber is sent the language they read (see compose.ts).
      if (input.action === 'publish' && input.notify) {
        const report = front.incidents.length > 0 ? [...front.incidents].sort().join(',') : front.slug;
        enqueueEvent(tx, { kind: 'postmortem_published', incidentId: front.incidents[0], ref: front.slug, onceKey: `postmortem:${report}` }, ctx.now);
      }
      bumpChangeCounter(tx);

      // Last: the files, each step with its way back should the commit fail.
      const previous = existsSync(target) ? readFileSync(target, 'utf8') : null;
      replaceFile(folder, file, serializePostmortem(front, input.body));
      undo.push(() => (previous === null ? unlinkSync(folder.path(file)) : replaceFile(folder, file, previous)));
      if (existing && !existing.shipped && existing.file !== file) {
        const original = folder.path(existing.file);
        const text = readFileSync(original, 'utf8');
        unlinkSync(original);
        undo.push(() => replaceFile(folder, existing.file, text));
      }
      return { file, slug: front.slug };
    });
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
}
