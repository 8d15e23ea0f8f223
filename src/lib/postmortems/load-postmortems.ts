import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileNameFor, frontMatterSchema, splitFrontMatter, type FrontMatter } from './front-matter';
import { postmortemFolder, type PostmortemFolder } from './postmortem-path';
import { ShiraseError, type Said } from '../errors';
import { issueFromZod } from '../validation';

export interface Postmortem extends FrontMatter {
  file: string;
  /** Read from the folder of postmortems that ship with the site (the demo's): edits are saved as a copy in the data folder. */
  shipped: boolean;
  body: string;
  mtimeMs: number;
  /** A hash of the file's text: what an editor's save is checked against, so two saves never overwrite each other unseen. */
  version: string;
}

/** A file that could not be used, with what to fix. */
interface PostmortemProblem {
  file: string;
  field: string;
  message: Said;
}

/** A refusal from the folder check, or a YAML parser's own words. */
function problemText(error: unknown): Said {
  if (error instanceof ShiraseError) return { key: error.key, params: error.params };
  return { key: 'errors.detail', params: { detail: error instanceof Error ? error.message : String(error) } };
}

export interface PostmortemLibrary {
  all: Postmortem[];
  problems: PostmortemProblem[];
  bySlug: Map<string, Postmortem>;
  /** The published postmortems that explain each incident, in any language. */
  byIncident: Map<string, Postmortem[]>;
}

/**
 * For each incident, the postmortem a reader should be sent to: the one in
 * their language if staff wrote it, else the first published.
 */
export function postmortemFor(library: PostmortemLibrary, locale: string | undefined): Map<string, Postmortem> {
  const out = new Map<string, Postmortem>();
  for (const [incidentId, list] of library.byIncident) out.set(incidentId, list.find((p) => p.locale === locale) ?? list[0]!);
  return out;
}

/** The same report in other languages: published postmortems about the same incidents, in another locale. */
export function otherLanguages(library: PostmortemLibrary, postmortem: Postmortem): Postmortem[] {
  const key = [...postmortem.incidents].sort().join(',');
  if (!key) return [];
  return library.all.filter((p) => p.published && p.locale !== postmortem.locale && [...p.incidents].sort().join(',') === key);
}

/**
 * The published reports, newest first, a report written in several languages
 * listed once: postmortems about the same incidents in other languages are
 * its translations (see otherLanguages). The reader's language is shown where
 * the report has it, else the language it was first published in. Two
 * reports in one language about the same incidents are two reports.
 */
export function publishedReports(library: PostmortemLibrary, locale: string): Postmortem[] {
  const sets = new Map<string, Postmortem[]>();
  for (const p of library.all) {
    if (!p.published) continue;
    // A report about no incident stands alone.
    const key = p.incidents.length > 0 ? [...p.incidents].sort().join(',') : `file:${p.file}`;
    sets.set(key, [...(sets.get(key) ?? []), p]);
  }
  const shown = [...sets.values()].flatMap((set) => {
    const first = [...set].sort((a, b) => a.published! - b.published! || a.file.localeCompare(b.file))[0]!;
    const inReaders = set.filter((p) => p.locale === locale);
    return inReaders.length > 0 ? inReaders : set.filter((p) => p.locale === first.locale);
  });
  return shown.sort((a, b) => b.published! - a.published!);
}

const parsedFiles = new Map<string, { mtimeMs: number; size: number; result: Postmortem | PostmortemProblem[] }>();

/** The version of a postmortem file's text. */
function postmortemVersion(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 20);
}

function parseFile(folder: PostmortemFolder, file: string): Postmortem | PostmortemProblem[] {
  let path: string;
  try {
    path = folder.path(file);
  } catch (error) {
    return [{ file, field: 'file name', message: problemText(error) }];
  }
  const info = statSync(path);
  const known = parsedFiles.get(path);
  if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.result;
  let result: Postmortem | PostmortemProblem[];
  try {
    const source = readFileSync(path, 'utf8');
    const { data, body } = splitFrontMatter(source);
    const parsed = frontMatterSchema.safeParse(data);
    if (!parsed.success) {
      result = parsed.error.issues.map((i) => ({ file, field: i.path.join('.') || 'front matter', message: issueFromZod(i) }));
    } else if (fileNameFor(parsed.data) !== file) {
      result = [{ file, field: 'date, slug', message: { key: 'errors.field.fileName', params: { file: fileNameFor(parsed.data) } } }];
    } else {
      result = { ...parsed.data, file, shipped: false, body, mtimeMs: info.mtimeMs, version: postmortemVersion(source) };
    }
  } catch (error) {
    result = [{ file, field: 'front matter', message: problemText(error) }];
  }
  parsedFiles.set(path, { mtimeMs: info.mtimeMs, size: info.size, result });
  return result;
}

/**
 * Where postmortems are read from: the data folder staff write to, and the
 * folder of those that ship with the site (the demo's), which is only read,
 * so updating Shirase never meets a file staff wrote.
 */
export interface PostmortemSources {
  dir: string;
  shipped?: string | undefined;
}

function markdownFiles(dir: string): { folder: PostmortemFolder; files: string[] } | undefined {
  try {
    const folder = postmortemFolder(dir);
    return {
      folder,
      files: readdirSync(folder.root)
        .filter((f) => f.endsWith('.md'))
        .sort(),
    };
  } catch {
    // No folder yet: no postmortems there.
    return undefined;
  }
}

/**
 * Reads every postmortem in the data folder and the shipped one; a file in
 * the data folder hides the shipped file of the same name (an edited copy).
 * A broken file never hides the others: it is reported with the field and
 * what to fix. Files are parsed again only when they change, so calling this
 * on every render is cheap.
 */
export function loadPostmortems(sources: PostmortemSources | string): PostmortemLibrary {
  const { dir, shipped } = typeof sources === 'string' ? { dir: sources, shipped: undefined } : sources;
  const all: Postmortem[] = [];
  const problems: PostmortemProblem[] = [];
  const seen = new Set<string>();
  for (const [source, isShipped] of [[dir, false], ...(shipped ? [[shipped, true]] : [])] as [string, boolean][]) {
    const found = markdownFiles(source);
    if (!found) continue;
    for (const file of found.files) {
      if (seen.has(file)) continue;
      seen.add(file);
      const result = parseFile(found.folder, file);
      if (Array.isArray(result)) problems.push(...result);
      else all.push({ ...result, shipped: isShipped });
    }
  }
  all.sort((a, b) => a.file.localeCompare(b.file));
  const bySlug = new Map<string, Postmortem>();
  for (const p of all) {
    if (bySlug.has(p.slug))
      problems.push({ file: p.file, field: 'slug', message: { key: 'errors.field.slugShared', params: { file: bySlug.get(p.slug)!.file, slug: p.slug } } });
    else bySlug.set(p.slug, p);
  }
  const byIncident = new Map<string, Postmortem[]>();
  for (const p of bySlug.values()) if (p.published) for (const id of p.incidents) byIncident.set(id, [...(byIncident.get(id) ?? []), p]);
  return { all: [...bySlug.values()], problems, bySlug, byIncident };
}

/** A short fingerprint of the folders, for noticing added, edited and removed files. */
export function folderSignature(sources: PostmortemSources): string {
  return [sources.dir, sources.shipped]
    .filter((d): d is string => Boolean(d))
    .map(signatureOf)
    .join('||');
}

function signatureOf(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => {
        const s = statSync(join(dir, f));
        return `${f}:${s.mtimeMs}:${s.size}`;
      })
      .join('|');
  } catch {
    return '';
  }
}
