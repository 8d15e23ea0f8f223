// What one status page shows, as every public view and answer filters it.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { components, incidents, statusPageComponents, statusPages } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import { withParts } from './load-pages';
import { defaultPageId } from './default-page';
import type { Config } from '../config';
import type { Locale } from '../i18n/messages';

/**
 * A status page as readers of it see the data: the components on it, and the
 * incidents and maintenance that name them or, naming none, the page itself.
 */
export interface PageScope {
  id: string;
  slug: string;
  isDefault: boolean;
  /** The name readers see; null on the default page: the site's name. */
  name: string | null;
  /** The language a reader without a preference gets; null: the site's. */
  defaultLocale: string | null;
  private: boolean;
  /** The host names it answers, first the one its links name. */
  hosts: string[];
  /**
   * The components on the page; null when it holds every component (the
   * default page of an install that never split, read without a filter).
   */
  componentIds: ReadonlySet<string> | null;
}

/** The page a request is for, by id; the default page when none is named or the one named is gone. */
export function loadPageScope(db: Queryable, pageId?: string): PageScope {
  const row =
    (pageId === undefined ? undefined : db.select().from(statusPages).where(eq(statusPages.id, pageId)).get()) ??
    db.select().from(statusPages).where(eq(statusPages.isDefault, true)).get();
  if (!row) throw new Error('the database has no default status page: run the migrations (npm run db:migrate)');
  const page = withParts(db, row);
  const total =
    db
      .select({ n: sql<number>`count(*)` })
      .from(components)
      .get()?.n ?? 0;
  const { id, slug, isDefault, name, defaultLocale, hosts, componentIds } = page;
  return {
    id,
    slug,
    isDefault,
    name,
    defaultLocale,
    private: page.private,
    hosts,
    componentIds: isDefault && componentIds.length === total ? null : new Set(componentIds),
  };
}

/**
 * The site's settings as a page shows them: its own name, default language
 * and address (the scheme of PUBLIC_URL at the page's first host name) where
 * it has them, so its links, feeds and API answers name it.
 */
export function withPageSettings(config: Config, page: PageScope): Config {
  if (page.name === null && page.defaultLocale === null && page.hosts.length === 0) return config;
  const siteUrl = page.hosts.length === 0 ? config.siteUrl : `${new URL(config.siteUrl).protocol}//${page.hosts[0]}`;
  return { ...config, siteName: page.name ?? config.siteName, defaultLocale: (page.defaultLocale as Locale | null) ?? config.defaultLocale, siteUrl };
}

/** Whether a component is on the page (every one is when no page is named). */
export function componentOnPage(page: Pick<PageScope, 'componentIds'> | undefined, componentId: string): boolean {
  return !page?.componentIds || page.componentIds.has(componentId);
}

/**
 * The incidents and maintenance on a page, as a filter on `incidents`:
 * those that name a component on it, those that name it, and, on the default
 * page, those that name neither a component nor a page. Undefined (no filter)
 * when no page is named.
 */
export function incidentsOnPage(page: PageScope | undefined): SQL | undefined {
  if (!page) return undefined;
  const namesComponent = sql`exists (select 1 from incident_components ic where ic.incident_id = ${incidents.id})`;
  if (page.isDefault && page.componentIds === null) {
    // Every component is here: only incidents that name no component and another page are not.
    return sql`(${incidents.pageId} is null or ${incidents.pageId} = ${page.id} or ${namesComponent})`;
  }
  const namesOneHere = sql`${incidents.id} in (select ic.incident_id from incident_components ic join status_page_components pc on pc.component_id = ic.component_id where pc.page_id = ${page.id})`;
  const namesThisPage = page.isDefault
    ? sql`(${incidents.pageId} = ${page.id} or (${incidents.pageId} is null and not ${namesComponent}))`
    : eq(incidents.pageId, page.id);
  return sql`(${namesThisPage} or ${namesOneHere})`;
}

/** A filter and the page's own, together. */
export function onPage(where: SQL | undefined, page: PageScope | undefined): SQL | undefined {
  const scope = incidentsOnPage(page);
  return scope === undefined ? where : where === undefined ? scope : and(where, scope);
}

/**
 * The pages an incident or maintenance window is on, as its notifications
 * reach them: the pages holding a component it names, and the page it names
 * (naming neither, the default page). The same rule as incidentsOnPage, from
 * the incident's side.
 */
export function pagesShowingIncident(db: Queryable, incidentId: string, componentIds: readonly string[]): Set<string> {
  const pages = new Set<string>();
  if (componentIds.length > 0) {
    for (const row of db
      .select({ pageId: statusPageComponents.pageId })
      .from(statusPageComponents)
      .where(inArray(statusPageComponents.componentId, [...componentIds]))
      .all())
      pages.add(row.pageId);
  }
  const named = db.select({ pageId: incidents.pageId }).from(incidents).where(eq(incidents.id, incidentId)).get()?.pageId;
  if (named) pages.add(named);
  else if (componentIds.length === 0) pages.add(defaultPageId(db));
  return pages;
}
