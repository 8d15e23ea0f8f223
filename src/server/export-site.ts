import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/open';
import { incidents } from '../../db/schema';
import { loadComponentTree } from '../lib/components/load-components';
import { buildHistoryPageView } from '../lib/views/history-page';
import { NOT_FOUND_KEY, localizeKey, type PublicRoutes } from './public-routes';
import { LOCALES } from '../lib/i18n/messages';
import type { Representation } from './representation';
import { loadPostmortems, type PostmortemSources } from '../lib/postmortems/load-postmortems';
import { loadSiteFiles } from '../lib/site/site-settings';
import { FEED_FORMATS, feedFile } from '../lib/feeds/build-feed';

export interface ExportSource {
  db: Db;
  postmortems: PostmortemSources;
  timeZone: string;
  staticFiles: Map<string, Representation>;
  /** The public pages of the build (dist/public-routes.json). */
  routes: PublicRoutes;
  /** A public page's body as it stands. */
  body(key: string): Promise<Buffer>;
}

/** Every public path of the site as it stands, each once. */
export function publicKeys(routes: PublicRoutes, db: Db, timeZone: string, postmortemSlugs: string[] = []): string[] {
  const { pageCount } = buildHistoryPageView(db, 1, timeZone);
  const ids = db.select({ id: incidents.id, kind: incidents.kind }).from(incidents).orderBy(asc(incidents.startedAt)).all();
  const componentIds = loadComponentTree(db, Date.now()).all.map((c) => c.id);
  const fixed = routes.fixedKeys();
  // Pages that name something in the data; the others are the routes' own (fixedKeys).
  const pages = [
    ...Array.from({ length: pageCount - 1 }, (_, i) => `/history/page/${i + 2}`),
    ...ids.map((r) => `/incidents/${r.id}`),
    ...componentIds.map((id) => `/components/${id}`),
    ...postmortemSlugs.map((slug) => `/postmortems/${slug}`),
  ];
  const calendars = ids.filter((r) => r.kind === 'maintenance').map((r) => `/incidents/${r.id}.ics`);
  // Every page and calendar in every language under its prefix, so the copy serves /ja/… too, and once more without a prefix.
  const inEveryLanguage = [...fixed.filter((f) => f.languages).map((f) => f.key), ...pages, ...calendars];
  return [
    ...LOCALES.flatMap((locale) => inEveryLanguage.map((key) => localizeKey(locale, key))),
    NOT_FOUND_KEY,
    ...inEveryLanguage,
    ...fixed.filter((f) => !f.languages).map((f) => f.key),
    ...componentIds.flatMap((id) => [`/badge/${id}.svg`, ...FEED_FORMATS.map((format) => feedFile(format, id))]),
  ];
}

/** Where a public path lives in a static copy: pages become folders with an index.html. */
function fileFor(key: string): string {
  if (key === NOT_FOUND_KEY) return '404.html';
  if (/\.(json|svg|rss|atom|xml|ics|css|js|png|ico|txt|csv)$/.test(key)) return key.slice(1);
  return join(key.slice(1), 'index.html');
}

/**
 * A page as the copy keeps it: without the live-update version the origin's
 * pages name (public/live.js), which changes with every change, so a page
 * that did not change is the same file and the publish step (rclone) sends
 * only what did. A copy page then asks the plain /live.json, as a page that
 * names no version does.
 */
export function withoutLiveVersion(body: Buffer): Buffer {
  const at = body.indexOf(' data-live-version="');
  if (at < 0) return body;
  const end = body.indexOf('"', at + ' data-live-version="'.length);
  return Buffer.concat([body.subarray(0, at), body.subarray(end + 1)]);
}

function writeAtomically(path: string, body: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, body);
  renameSync(temp, path);
}

/**
 * Writes the public site as static files that nginx, an object store or a CDN
 * can serve unchanged while the origin is down. Files are replaced one by
 * one with a rename, so a reader never sees half a file.
 */
export async function exportSite(source: ExportSource, dir: string): Promise<{ files: number }> {
  let files = 0;
  const slugs = loadPostmortems(source.postmortems)
    .all.filter((p) => p.published)
    .map((p) => p.slug);
  for (const key of publicKeys(source.routes, source.db, source.timeZone, slugs)) {
    writeAtomically(join(dir, fileFor(key)), withoutLiveVersion(await source.body(key)));
    files++;
  }
  for (const [path, rep] of source.staticFiles) {
    writeAtomically(join(dir, path.slice(1)), rep.identity);
    files++;
  }
  // The logo, favicon and theme stylesheet set under Admin → Settings, under the hashed names the pages link to.
  for (const file of loadSiteFiles(source.db)) {
    writeAtomically(join(dir, file.path.slice(1)), file.body);
    files++;
  }
  return { files };
}
