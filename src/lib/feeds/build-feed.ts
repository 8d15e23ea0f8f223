import { Feed, type Item } from 'feed';
import { and, eq, inArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import type { Config } from '../config';
import { xmlSafe } from '../control-characters';
import { t, type Locale } from '../i18n/messages';
import { renderMarkdown } from '../markdown/render';
import { escapeHtml } from '../text/escape-html';
import { loadPostmortems, otherLanguages, type Postmortem } from '../postmortems/load-postmortems';
import { postmortemsOnPage } from '../pages/page-postmortems';
import { closedPublicFollowUps } from '../followups/load-follow-ups';
import { findComponent } from '../components/load-components';
import { loadIncidents } from '../incidents/load-incidents';
import { notLaterSeriesWindow } from '../maintenance/series-windows';
import type { PageScope } from '../pages/page-scope';

const FEED_ITEMS = 100;

export const FEED_FORMATS = ['rss', 'atom', 'json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** Content types as each format's specification registers them. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** A feed's address relative to the site, in a format and optionally for one component. */
export function feedFile(format: FeedFormat, componentId?: string): string {
  return componentId ? `/feed/${componentId}.${format}` : `/feed.${format}`;
}

interface FeedEntry {
  /** An absolute URL that never changes: the RSS guid, the Atom id and the JSON Feed id. */
  id: string;
  /** Where the item points, when not at its id. */
  link?: string;
  title: string;
  html: string;
  date: number;
  categories: string[];
}

/**
 * One item per update, per published postmortem and per public follow-up of
 * one that is done or dropped, newest first, with
 * absolute links and ids that never change, in RSS 2.0, Atom 1.0 or JSON
 * Feed 1.1: every format carries the same items with the same ids and texts.
 * With a component id, only what touched that component. Undefined for an
 * unknown component. In another language than the site's, titles, texts and
 * links are that language's (`/ja/feed.atom` links to `/ja/` pages).
 */
export function buildFeed(
  db: Db,
  config: Config,
  now: number,
  format: FeedFormat,
  componentId?: string,
  language?: Locale,
  page?: PageScope,
): string | undefined {
  return readSnapshot(db, () => {
    const locale = language ?? config.defaultLocale;
    // A component on another page only has no feed on this one.
    const component = componentId ? findComponent(db, componentId, now, locale, page) : undefined;
    if (componentId && !component) return undefined;
    const site = locale === config.defaultLocale ? config.siteUrl : `${config.siteUrl}/${locale}`;
    const entries = collectEntries(db, config, locale, site, component?.id, page);
    const feedLinks = Object.fromEntries(FEED_FORMATS.map((f) => [f, `${site}${feedFile(f, component?.id)}`]));
    const feed = new Feed({
      id: feedLinks[format]!,
      title: component ? `${config.siteName}: ${component.name}` : config.siteName,
      description: t(locale, 'feed.description', { site: config.siteName }),
      link: `${site}/`,
      feedLinks,
      language: locale,
      ttl: 1,
      // The newest item, so a feed that did not change renders to the same bytes (and ETag).
      updated: new Date(entries[0]?.date ?? now),
      generator: 'Shirase',
      author: { name: config.siteName, link: `${site}/` },
    });
    for (const entry of entries) feed.addItem(toItem(entry, format));
    // Rows stored before control characters were taken out of input must not make the whole feed unreadable.
    if (format === 'rss') return xmlSafe(feed.rss2());
    if (format === 'atom') return xmlSafe(feed.atom1());
    return asJsonFeed11(feed.json1(), locale, config.siteName, `${site}/`);
  });
}

function toItem(entry: FeedEntry, format: FeedFormat): Item {
  const text = format === 'json' ? (s: string) => s : inCdata;
  return {
    // Atom titles are declared HTML; RSS and JSON Feed titles are plain text.
    title: format === 'atom' ? escapeHtml(entry.title) : text(entry.title),
    id: entry.id,
    guid: entry.id,
    link: entry.link ?? entry.id,
    description: text(entry.html),
    date: new Date(entry.date),
    published: format === 'rss' ? undefined : new Date(entry.date),
    category: entry.categories.map((name) => ({ name, term: name })),
  };
}

/**
 * The library writes JSON Feed 1.0; 1.1 renames the version, adds the feed's
 * language and lists authors instead of one author.
 */
function asJsonFeed11(json: string, locale: Locale, siteName: string, siteUrl: string): string {
  const { author: _author, ...feed } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify({ ...feed, version: 'https://jsonfeed.org/version/1.1', language: locale, authors: [{ name: siteName, url: siteUrl }] });
}

/**
 * The library's XML writer splits only the first `]]>` of a CDATA section;
 * the later ones are split here, so a name typed with two still reads as typed.
 */
function inCdata(text: string): string {
  let count = 0;
  return text.replace(/\]\]>/g, (match) => (count++ === 0 ? match : ']]]]><![CDATA[>'));
}

function collectEntries(db: Db, config: Config, locale: Locale, site: string, componentId: string | undefined, page: PageScope | undefined): FeedEntry[] {
  // A repeating maintenance is announced once, by its next window.
  const where = and(
    notLaterSeriesWindow(),
    componentId
      ? inArray(incidents.id, db.select({ id: incidentComponents.incidentId }).from(incidentComponents).where(eq(incidentComponents.componentId, componentId)))
      : undefined,
  );
  const list = loadIncidents(db, where, { limit: FEED_ITEMS, locale, page });
  const entries: FeedEntry[] = [];
  for (const incident of list) {
    for (const u of incident.updates) {
      entries.push({
        id: `${site}/incidents/${incident.id}#update-${u.id}`,
        title: `${incident.name}: ${t(locale, `status.update.${u.status}`)}`,
        html: renderMarkdown(u.body),
        date: u.displayAt,
        categories: [t(locale, `incident.kind.${incident.kind}`), ...incident.components.map((c) => c.name)],
      });
    }
  }
  const ids = new Set(list.map((i) => i.id));
  const library = postmortemsOnPage(db, loadPostmortems(config.postmortems), page);
  // A report written in several languages appears once, in the feed's language where there is one.
  const inFeedLanguage = (p: Postmortem) => p.locale === locale;
  for (const p of library.all) {
    if (!p.published || (componentId && !p.incidents.some((id) => ids.has(id)))) continue;
    if (!inFeedLanguage(p) && otherLanguages(library, p).some(inFeedLanguage)) continue;
    entries.push({
      id: `${site}/postmortems/${p.slug}`,
      title: p.title,
      html: renderMarkdown(p.summary),
      date: p.published,
      categories: [t(locale, 'feed.postmortem')],
    });
  }
  // A promise kept or dropped: one item per follow-up and outcome, its id fixed by the report it was added to.
  for (const { followUp: f, postmortem: p } of closedPublicFollowUps(db, library)) {
    if (componentId && !p.incidents.some((id) => ids.has(id))) continue;
    const shown = p.locale === locale ? p : (otherLanguages(library, p).find(inFeedLanguage) ?? p);
    entries.push({
      id: `${site}/postmortems/${p.slug}#follow-up-${f.id}-${f.status}`,
      link: `${site}/postmortems/${shown.slug}#follow-up-${f.id}`,
      title: t(locale, f.status === 'dropped' ? 'feed.followUpDropped' : 'feed.followUpDone', { text: f.text[locale] }),
      html: `<p>${escapeHtml(`${shown.title}`)}</p>${f.reason ? `<p>${escapeHtml(`${t(locale, 'followUps.reason')} ${f.reason[locale]}`)}</p>` : ''}`,
      date: f.closedAt ?? f.updatedAt,
      categories: [t(locale, 'feed.followUp')],
    });
  }
  entries.sort((a, b) => b.date - a.date);
  return entries.slice(0, FEED_ITEMS);
}
