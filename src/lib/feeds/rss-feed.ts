import RSS from 'rss';
import { eq, inArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import type { Config } from '../config';
import { t, type Locale } from '../i18n/messages';
import { renderMarkdown } from '../markdown/render';
import { loadPostmortems, otherLanguages, type Postmortem } from '../postmortems/load-postmortems';
import { findComponent } from '../views/components';
import { loadIncidents } from '../views/incidents';

const FEED_ITEMS = 100;

/**
 * RSS 2.0: one item per update and per published postmortem, newest first,
 * with absolute links and guids that never change. With a component id, only
 * what touched that component. Undefined for an unknown component. In another
 * language than the site's, titles, texts and links are that language's
 * (`/ja/feed.rss` links to `/ja/` pages).
 */
export function buildRssFeed(db: Db, config: Config, now: number, componentId?: string, language?: Locale): string | undefined {
  return readSnapshot(db, () => {
    const locale = language ?? config.defaultLocale;
    const component = componentId ? findComponent(db, componentId, now, locale) : undefined;
    if (componentId && !component) return undefined;
    const where = component
      ? inArray(incidents.id, db.select({ id: incidentComponents.incidentId }).from(incidentComponents).where(eq(incidentComponents.componentId, component.id)))
      : undefined;
    const list = loadIncidents(db, where, { limit: FEED_ITEMS, locale });
    const site = locale === config.defaultLocale ? config.siteUrl : `${config.siteUrl}/${locale}`;
    const feedUrl = component ? `${site}/feed/${component.id}.rss` : `${site}/feed.rss`;
    const feed = new RSS({
      title: component ? `${config.siteName}: ${component.name}` : config.siteName,
      description: t(locale, 'feed.description', { site: config.siteName }),
      site_url: `${site}/`,
      feed_url: feedUrl,
      language: locale,
      ttl: 1,
    });
    const items: { date: number; add: () => void }[] = [];
    for (const incident of list) {
      for (const u of incident.updates) {
        items.push({
          date: u.displayAt,
          add: () =>
            feed.item({
              title: `${incident.name}: ${t(locale, `status.update.${u.status}`)}`,
              description: renderMarkdown(u.body),
              url: `${site}/incidents/${incident.id}#update-${u.id}`,
              guid: `${site}/incidents/${incident.id}#update-${u.id}`,
              date: new Date(u.displayAt),
              categories: [t(locale, `incident.kind.${incident.kind}`), ...incident.components.map((c) => c.name)],
            }),
        });
      }
    }
    const ids = new Set(list.map((i) => i.id));
    const library = loadPostmortems(config.postmortems);
    // A report written in several languages appears once, in the feed's language where there is one.
    const inFeedLanguage = (p: Postmortem) => p.locale === locale;
    for (const p of library.all) {
      if (!p.published || (component && !p.incidents.some((id) => ids.has(id)))) continue;
      if (!inFeedLanguage(p) && otherLanguages(library, p).some(inFeedLanguage)) continue;
      items.push({
        date: p.published,
        add: () =>
          feed.item({
            title: p.title,
            description: renderMarkdown(p.summary),
            url: `${site}/postmortems/${p.slug}`,
            guid: `${site}/postmortems/${p.slug}`,
            date: new Date(p.published!),
            categories: [t(locale, 'feed.postmortem')],
          }),
      });
    }
    items.sort((a, b) => b.date - a.date);
    for (const item of items.slice(0, FEED_ITEMS)) item.add();
    return feed.xml({ indent: false });
  });
}

