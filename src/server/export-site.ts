import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/open';
import { incidents } from '../../db/schema';
import { loadComponentTree } from '../lib/components/load-components';
import { countHistory, HISTORY_PAGE_SIZE } from '../lib/views/history-page';
import { incidentsOnPage, loadPageScope, type PageScope } from '../lib/pages/page-scope';
import { postmortemsOnPage } from '../lib/pages/page-postmortems';
import { NOT_FOUND_KEY, localizeKey, type PublicRoutes } from './public-routes';
import { LOCALES } from '../lib/i18n/messages';
import type { Representation } from './representation';
import { loadPostmortems, type PostmortemSources } from '../lib/postmortems/load-postmortems';
import { loadSiteFiles } from '../lib/site/site-settings';
import { FEED_FORMATS, feedFile } from '../lib/feeds/build-feed';

export interface ExportSource {
  db: Db;
  postmortems: PostmortemSources;
  staticFiles: Map<string, Representation>;
  /** The public pages of the build (dist/public-routes.json). */
  routes: PublicRoutes;
  /** The status pages to copy, the default page first; a private page is never copied. */
  pages: { id: string; slug: string; isDefault: boolean; private: boolean }[];
  /** A public page's body as it stands on a status page. */
  body(pageId: string, key: string): Promise<Buffer>;
}

/** Where a status page's copy lives in the export: the default page at the top, as before there were pages; each other under pages/<slug>/. */
function pageFolder(page: { slug: string; isDefault: boolean }): string {
  return page.isDefault ? '' : join('pages', page.slug);
}

/** Every public path of a status page (the whole site when none is named) as it stands, each once. */
export function publicKeys(routes: PublicRoutes, db: Db, postmortemSlugs: string[] = [], page?: PageScope): string[] {
  const pageCount = Math.max(1, Math.ceil(countHistory(db, { page }) / HISTORY_PAGE_SIZE));
  const ids = db.select({ id: incidents.id, kind: incidents.kind }).from(incidents).where(incidentsOnPage(page)).orderBy(asc(incidents.startedAt)).all();
  const componentIds = loadComponentTree(db, Date.now(), undefined, page).all.map((c) => c.id);
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
 * can serve unchanged while the origin is down: each public status page in
 * its own folder (pageFolder), each a whole site with the scripts, styles and
 * brand files its pages link to. Files are replaced one by one with a rename,
 * so a reader never sees half a file.
 */
export async function exportSite(source: ExportSource, dir: string): Promise<{ files: number }> {
  let files = 0;
  const library = loadPostmortems(source.postmortems);
  for (const row of source.pages) {
    if (row.private) continue;
    const page = loadPageScope(source.db, row.id);
    const root = join(dir, pageFolder(row));
    const slugs = postmortemsOnPage(source.db, library, page)
      .all.filter((p) => p.published)
      .map((p) => p.slug);
    for (const key of publicKeys(source.routes, source.db, slugs, page)) {
      writeAtomically(join(root, fileFor(key)), withoutLiveVersion(await source.body(row.id, key)));
      files++;
    }
    for (const [path, rep] of source.staticFiles) {
      writeAtomically(join(root, path.slice(1)), rep.identity);
      files++;
    }
    // The logo, favicon and theme stylesheet set under Admin → Settings, under the hashed names the pages link to.
    for (const file of loadSiteFiles(source.db)) {
      writeAtomically(join(root, file.path.slice(1)), file.body);
      files++;
    }
  }
  return { files };
}
