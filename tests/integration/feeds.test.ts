import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Ajv } from 'ajv';
import { components } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';
import { openIncident } from '../../src/lib/incidents/open-incident';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(async () => {
  await site?.close();
});

const get = (path: string, init: RequestInit = {}) => fetch(site.url + path, init);
const jsonFeedSchema = JSON.parse(readFileSync('tests/fixtures/jsonfeed-1.1.schema.json', 'utf8')) as object;
const validateJsonFeed = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(jsonFeedSchema);
const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'item' || name === 'entry' || name === 'link' || name === 'category' });

interface AtomEntry {
  id: string;
  updated: string;
  title: { '#text': string };
}
interface RssItem {
  guid: { '#text': string };
  title: string;
  description: string;
  link: string[];
}
interface XmlFeeds {
  feed: { '@_xmlns': string; id: string; title: string; updated: string; author: { name: string }; link: Record<string, string>[]; entry: AtomEntry[] };
  rss: { channel: { item: RssItem[] } };
}

/** A feed's body after checking it is well-formed XML, as a strict parser reads it. */
async function xmlFeed(path: string, type: string): Promise<{ body: string; doc: XmlFeeds }> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type'), path).toBe(`${type}; charset=utf-8`);
  const body = await res.text();
  expect(XMLValidator.validate(body), path).toBe(true);
  return { body, doc: parser.parse(body) };
}

async function jsonFeed(path: string): Promise<{ items: { id: string; title: string; url: string; content_html: string }[]; [key: string]: unknown }> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type'), path).toBe('application/feed+json; charset=utf-8');
  const feed = await res.json();
  expect(validateJsonFeed(feed), JSON.stringify(validateJsonFeed.errors)).toBe(true);
  return feed;
}

const entryIds = (doc: XmlFeeds) => doc.feed.entry.map((e) => e.id);
const itemGuids = (doc: XmlFeeds) => doc.rss.channel.item.map((i) => i.guid['#text']);

describe('Atom and JSON Feed next to RSS', () => {
  it('carries the same items with the same ids in RSS 2.0, Atom 1.0 and JSON Feed 1.1, newest first', async () => {
    const rss = await xmlFeed('/feed.rss', 'application/rss+xml');
    const atom = await xmlFeed('/feed.atom', 'application/atom+xml');
    const json = await jsonFeed('/feed.json');
    const ids = itemGuids(rss.doc);
    expect(ids.length).toBeGreaterThan(10);
    expect(new Set(ids).size).toBe(ids.length);
    expect(entryIds(atom.doc)).toEqual(ids);
    expect(json.items.map((i) => i.id)).toEqual(ids);
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.language).toBe('en');
    expect(json.feed_url).toBe(`${site.url}/feed.json`);

    const feed = atom.doc.feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`${site.url}/feed.atom`);
    expect(feed.author.name).toBeTruthy();
    expect(feed.link.find((l) => l['@_rel'] === 'self')?.['@_href']).toBe(`${site.url}/feed.atom`);
    const updated = feed.entry.map((e) => Date.parse(e.updated));
    expect([...updated].sort((a, b) => b - a)).toEqual(updated);
    expect(feed.updated).toBe(feed.entry[0]!.updated);
    // The texts are the RSS items' texts.
    const first = rss.doc.rss.channel.item[0]!;
    expect(feed.entry[0]!.title['#text']).toBe(first.title);
    expect(json.items[0]!.title).toBe(first.title);
    expect(json.items[0]!.content_html).toBe(first.description);
    expect(json.items[0]!.url).toBe(first.link[0]);
  });

  it("answers Statuspage's /history.atom and /history.rss with the site's feeds", async () => {
    expect(await (await get('/history.atom')).text()).toBe(await (await get('/feed.atom')).text());
    expect(await (await get('/history.rss')).text()).toBe(await (await get('/feed.rss')).text());
    await xmlFeed('/history.atom', 'application/atom+xml');
    await xmlFeed('/ja/history.rss', 'application/rss+xml');
  });

  it('has a Japanese variant of each format linking to /ja/ pages', async () => {
    const atom = await xmlFeed('/ja/feed.atom', 'application/atom+xml');
    expect(atom.doc.feed.id).toBe(`${site.url}/ja/feed.atom`);
    expect(atom.body).toContain('リニューアル後にサービスが利用できなくなった障害: 解決');
    expect(atom.doc.feed.entry.every((e) => e.id.startsWith(`${site.url}/ja/`))).toBe(true);
    const json = await jsonFeed('/ja/feed.json');
    expect(json.language).toBe('ja');
    expect(json.items.every((i) => i.url.startsWith(`${site.url}/ja/`))).toBe(true);
    expect(json.items.map((i) => i.id)).toEqual(entryIds(atom.doc));
  });

  it('has a feed per component in each format, and the 404 for an id that names none', async () => {
    const api = site.db
      .select()
      .from(components)
      .all()
      .find((c) => c.name === 'API')!;
    const atom = await xmlFeed(`/feed/${api.id}.atom`, 'application/atom+xml');
    expect(atom.doc.feed.title).toContain('API');
    const json = await jsonFeed(`/feed/${api.id}.json`);
    expect(json.title).toContain('API');
    expect(json.items.map((i) => i.id)).toEqual(entryIds(atom.doc));
    const rss = await xmlFeed(`/ja/feed/${api.id}.rss`, 'application/rss+xml');
    expect(itemGuids(rss.doc).length).toBe(json.items.length);
    for (const path of ['/feed/zzzzzzzzzzzz.atom', '/feed/zzzzzzzzzzzz.json', '/ja/feed/zzzzzzzzzzzz.json', '/feed.yaml', '/ja/history.json']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('answers HEAD with the headers of GET and no body, and 304 to a known ETag', async () => {
    for (const path of ['/feed.atom', '/feed.json', '/history.atom', '/ja/feed.json']) {
      const full = await get(path);
      await full.arrayBuffer();
      const head = await get(path, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-type')).toBe(full.headers.get('content-type'));
      expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
      expect(await head.text()).toBe('');
      expect((await get(path, { headers: { 'if-none-match': full.headers.get('etag')! } })).status).toBe(304);
    }
  });

  it("is advertised on every public page in the page's language", async () => {
    const incidentPath = `/incidents/jun18renewal`;
    for (const [path, prefix] of [
      ['/', ''],
      ['/history', ''],
      ['/postmortems', ''],
      [incidentPath, ''],
      ['/ja/', '/ja'],
      [`/ja${incidentPath}`, '/ja'],
    ] as const) {
      const html = await (await get(path)).text();
      expect(html, path).toContain(`<link rel="alternate" type="application/rss+xml" title="Fusen Status" href="${prefix}/feed.rss">`);
      expect(html, path).toContain(`<link rel="alternate" type="application/atom+xml" title="Fusen Status" href="${prefix}/feed.atom">`);
      expect(html, path).toContain(`<link rel="alternate" type="application/feed+json" title="Fusen Status" href="${prefix}/feed.json">`);
    }
  });

  it('stays well-formed and schema-valid whatever staff type into a name', async () => {
    const name = 'Disk <full> & "quoted" ]]> twice ]]> done';
    openIncident(site.db, { name, status: 'investigating', body: 'Text with <b>markup</b> & ]]> inside.' }, { now: Date.now() });
    // The serving thread hears of a write from this process through the database file.
    for (const path of ['/feed.json', '/feed.atom', '/feed.rss']) await until(async () => (await (await get(path)).text()).includes('Disk '));
    const atom = await xmlFeed('/feed.atom', 'application/atom+xml');
    const titles = <T>(list: T[], read: (item: T) => string) => list.map(read).filter((title) => title.startsWith('Disk'));
    // Atom titles are HTML: the name's markup characters arrive as text.
    expect(titles(atom.doc.feed.entry, (e) => e.title['#text'])).toEqual([
      `${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}: Investigating`,
    ]);
    const rss = await xmlFeed('/feed.rss', 'application/rss+xml');
    expect(titles(rss.doc.rss.channel.item, (i) => i.title)).toEqual([`${name}: Investigating`]);
    const json = await jsonFeed('/feed.json');
    expect(titles(json.items, (i) => i.title)).toEqual([`${name}: Investigating`]);
  });
});
