import { asc, desc, eq } from 'drizzle-orm';
import { pageViewerRules, statusPageComponents, statusPageHosts, statusPages } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import { fieldIssue, notSaved, type Thing } from '../errors';

export interface PageView {
  id: string;
  slug: string;
  /** Null on the default page: the site's name. */
  name: string | null;
  defaultLocale: string | null;
  private: boolean;
  isDefault: boolean;
  hosts: string[];
  componentIds: string[];
  /** Who may see it when private: an address or `@domain` each, with the components that group sees (null: all). */
  viewers: { pattern: string; componentIds: string[] | null }[];
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** A page's row with its host names (in alphabetical order) and components. */
export function withParts(db: Queryable, row: typeof statusPages.$inferSelect): PageView {
  const hosts = db
    .select({ host: statusPageHosts.host })
    .from(statusPageHosts)
    .where(eq(statusPageHosts.pageId, row.id))
    .orderBy(asc(statusPageHosts.host))
    .all();
  const parts = db.select({ id: statusPageComponents.componentId }).from(statusPageComponents).where(eq(statusPageComponents.pageId, row.id)).all();
  const viewers = db
    .select({ pattern: pageViewerRules.pattern, componentIds: pageViewerRules.componentIds })
    .from(pageViewerRules)
    .where(eq(pageViewerRules.pageId, row.id))
    .orderBy(asc(pageViewerRules.pattern))
    .all();
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    defaultLocale: row.defaultLocale,
    private: row.private,
    isDefault: row.isDefault,
    hosts: hosts.map((h) => h.host),
    componentIds: parts.map((p) => p.id),
    viewers: viewers.map((v) => ({ pattern: v.pattern, componentIds: v.componentIds ? (JSON.parse(v.componentIds) as string[]) : null })),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Every page, the default first, then by slug. */
export function listPages(db: Queryable): PageView[] {
  return db
    .select()
    .from(statusPages)
    .orderBy(desc(statusPages.isDefault), asc(statusPages.slug))
    .all()
    .map((row) => withParts(db, row));
}

export function loadPage(db: Queryable, slug: string): PageView | undefined {
  const row = db.select().from(statusPages).where(eq(statusPages.slug, slug)).get();
  return row ? withParts(db, row) : undefined;
}

/**
 * The id of the page a short name names, for an incident that names no
 * component (`page` in the write API and the forms); undefined when none is
 * named. `thing` is what is being saved, for the error naming the field.
 */
export function pageIdForSlug(db: Queryable, slug: string | undefined, thing: Thing): string | undefined {
  if (slug === undefined || slug === '') return undefined;
  const row = db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.slug, slug)).get();
  if (!row) throw notSaved(thing, [fieldIssue('page', 'errors.field.pageUnknown')]);
  return row.id;
}

/** The page a host name reaches: the one that names it, else the default page. */
export function pageIdForHost(db: Queryable, host: string): string | undefined {
  const named = db.select({ id: statusPageHosts.pageId }).from(statusPageHosts).where(eq(statusPageHosts.host, host)).get();
  return named?.id ?? db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.isDefault, true)).get()?.id;
}

/** The page as a CONFLICT shows it: its version, and its texts to compare with what was typed. */
export function storedPage(page: PageView): { version: number; values: Record<string, string | null> } {
  return {
    version: page.version,
    values: {
      name: page.name,
      slug: page.slug,
      hosts: page.hosts.join('\n'),
      defaultLocale: page.defaultLocale,
      componentIds: page.componentIds.join(', '),
    },
  };
}
