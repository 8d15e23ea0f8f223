import { asc } from 'drizzle-orm';
import type { Db } from '../../db/open';
import { pageViewerRules, statusPageHosts, statusPages } from '../../db/schema';
import { LOCALES, type Locale } from '../lib/i18n/messages';
import { hostOf } from '../lib/pages/page-input';
import type { LiveEvents } from './live-events';
import type { PublicCache } from './public-cache';
import type { PublicIndex } from './public-index';

/** A status page as the pages table has it, enough to route to it. */
export interface PageRow {
  id: string;
  slug: string;
  isDefault: boolean;
  private: boolean;
  /** The language a reader without a preference gets here; undefined: the site's. */
  defaultLocale: Locale | undefined;
  /** On a private page's site for one group of its viewers: the group (its rule's id). */
  group?: string;
}

/**
 * A status page as the serving thread answers it: a site of its own that
 * shares the process, the database and the render threads. Its pages are
 * rendered once per change and kept in its own cache, its open pages are
 * told of changes in its own rounds, and a made-up id is looked up among its
 * own incidents and components, so nothing of one page is ever served as
 * another's.
 */
export interface PageSite extends PageRow {
  cache: PublicCache;
  live: LiveEvents;
  index: PublicIndex;
}

/**
 * The status pages this server answers, found by the host a request names; a
 * host no page names gets the default page, so an install that never added
 * a page answers every host as before.
 */
export class PageSites {
  private sites = new Map<string, PageSite>();
  /** A private page's sites, one per group of viewers, by `pageId/group`: opened when a viewer of the group first comes. */
  private groups = new Map<string, PageSite>();
  private byHost = new Map<string, PageSite>();
  private fallback: PageSite | undefined;

  constructor(
    private readonly db: Db,
    private readonly open: (row: PageRow) => PageSite,
    private readonly close: (site: PageSite) => void,
  ) {
    this.reload();
  }

  /**
   * Reads the pages and their host names again (at start and after every
   * change; two small queries): a new page gets a site of its own, a removed
   * one's is closed. Returns the sites opened.
   */
  reload(): PageSite[] {
    const rows = this.db.select().from(statusPages).orderBy(asc(statusPages.slug)).all();
    const opened: PageSite[] = [];
    const next = new Map<string, PageSite>();
    for (const row of rows) {
      const wanted: PageRow = {
        id: row.id,
        slug: row.slug,
        isDefault: row.isDefault,
        private: row.private,
        defaultLocale: LOCALES.includes(row.defaultLocale as Locale) ? (row.defaultLocale as Locale) : undefined,
      };
      let site = this.sites.get(row.id);
      if (site) Object.assign(site, wanted);
      else {
        site = this.open(wanted);
        opened.push(site);
      }
      next.set(row.id, site);
    }
    for (const [id, site] of this.sites) if (!next.has(id)) this.close(site);
    // A group's site goes with its page, its page's privacy or its rule.
    const rules = new Set(
      this.db
        .select({ id: pageViewerRules.id })
        .from(pageViewerRules)
        .all()
        .map((r) => r.id),
    );
    for (const [key, site] of this.groups)
      // Strangers (group '') have no rule: their site goes only with the page or its privacy.
      if (!next.get(site.id)?.private || (site.group !== '' && !rules.has(site.group!))) {
        this.close(site);
        this.groups.delete(key);
      }
    this.sites = next;
    this.fallback = [...next.values()].find((s) => s.isDefault);
    if (!this.fallback) throw new Error('the database has no default status page: run the migrations (npm run db:migrate)');
    this.byHost = new Map();
    for (const { host, pageId } of this.db.select().from(statusPageHosts).all()) {
      const site = next.get(pageId);
      if (site) this.byHost.set(host, site);
    }
    return opened;
  }

  /** The page a request reaches by its Host (or a trusted proxy's X-Forwarded-Host). */
  forHost(host: string | undefined): PageSite {
    // An install that never added a page answers every host the same, without a look at the header.
    if (host === undefined || this.byHost.size === 0) return this.fallback!;
    return this.byHost.get(hostOf(host)) ?? this.fallback!;
  }

  /** The page every host no page names reaches. */
  get default(): PageSite {
    return this.fallback!;
  }

  /** A private page as one group of its viewers sees it: rendered once per change for the whole group, never shared with another. */
  forViewers(page: PageSite, group: string): PageSite {
    const key = `${page.id}/${group}`;
    let site = this.groups.get(key);
    if (!site) {
      site = this.open({ id: page.id, slug: page.slug, isDefault: page.isDefault, private: true, defaultLocale: page.defaultLocale, group });
      this.groups.set(key, site);
    }
    return site;
  }

  /** Every site: each page's, and each group's of a private page. */
  get all(): PageSite[] {
    return [...this.sites.values(), ...this.groups.values()];
  }
}
