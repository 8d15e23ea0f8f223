import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { incidentUpdates, incidents } from '../../db/schema';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { importStatuspage, readStatuspage } from '../../src/lib/import/statuspage';
import { bumpChangeCounter } from '../../src/lib/site/change-counter';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { parseCalendar } from '../support/calendar';
import { startStatuspageFixtures } from '../support/statuspage-fixtures';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';

let site: TestSite;
let fixtures: Awaited<ReturnType<typeof startStatuspageFixtures>>;
beforeAll(async () => {
  [site, fixtures] = await Promise.all([startTestSite({ seed: true }), startStatuspageFixtures()]);
}, 60_000);
afterAll(async () => {
  site?.close();
  await fixtures?.close();
});

const HOUR = 3_600_000;
/** Controls other than tab, line feed and carriage return, which no text file may carry raw. */
const hasRawControls = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
const api = (path: string, body: unknown) => {
  const { token } = createApiToken(site.db, { name: `maintenance bot ${Math.random()}`, scopes: ['maintenance'] }, { now: Date.now() });
  return fetch(`${site.url}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
};
const window = (name: string, body: string) => {
  const from = Date.now() + 24 * HOUR;
  return api('maintenances', { name, body, scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + HOUR).toISOString() });
};

/** Debian's xmllint, as a feed reader's parser: its complaints, or '' for a well-formed document. */
function xmllint(xml: string): string {
  const run = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  if (run.error) throw run.error;
  return run.status === 0 ? '' : run.stderr || `exit ${run.status}`;
}

async function feedsAreWellFormed(mustContain: string): Promise<void> {
  for (const path of ['/feed.rss', '/feed.atom', '/ja/feed.atom']) {
    const xml = await until(async () => {
      const text = await (await fetch(site.url + path)).text();
      return text.includes(mustContain) && text;
    });
    expect(xmllint(xml), path).toBe('');
  }
}

/** The served calendar once it names the window, read by ical.js as a calendar client would. */
async function calendarOf(id: string, ready: (text: string) => boolean = () => true) {
  const text = await until(async () => {
    const res = await fetch(`${site.url}/incidents/${id}.ics`);
    const body = res.status === 200 ? await res.text() : '';
    return body && ready(body) && body;
  });
  const { calendar, events } = parseCalendar(text);
  return { text, calendar, events };
}

describe('control characters in names and bodies', () => {
  it('refuses a name with a line break or another control character through the API, with a field error, in both languages', async () => {
    for (const name of [
      'Window\r\nBEGIN:VEVENT',
      'Null\u0000name',
      'Escape \u001b[31mred',
      'Tab\there',
      'C1 \u0085 next line',
      'Not a character \uffff',
      'Nor \ufffe this',
    ]) {
      const res = await window(name, 'Brief reconnects.');
      expect(res.status, JSON.stringify(name)).toBe(422);
      const { error } = (await res.json()) as { error: { code: string; fields: { field: string; message: string }[] } };
      expect(error.code).toBe('VALIDATION');
      expect(error.fields).toEqual([{ field: 'name', message: expect.stringContaining('control characters') }]);
    }
    const { token } = createApiToken(site.db, { name: `ja bot ${Math.random()}`, scopes: ['maintenance'] }, { now: Date.now() });
    const from = Date.now() + 24 * HOUR;
    const ja = await fetch(`${site.url}/api/v1/maintenances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'ja' },
      body: JSON.stringify({ name: 'a\nb', body: 'x', scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + HOUR).toISOString() }),
    });
    expect(ja.status).toBe(422);
    expect(JSON.stringify(await ja.json())).toContain('制御文字');
  });

  it('takes control characters out of bodies, keeping line breaks and tabs, and the calendar and feeds stay readable', async () => {
    const res = await window('Hostile body window', 'Line one\r\n\tindented\u0000\u001b[31m red\u0085 end\uffff\ufffe');
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const stored = site.db.select({ body: incidentUpdates.body }).from(incidentUpdates).where(eq(incidentUpdates.incidentId, id)).get()!;
    expect(stored.body).toBe('Line one\n\tindented[31m red end');
    const { events } = await calendarOf(id);
    expect(events.map((e) => e.summary)).toEqual(['Hostile body window']);
    expect(events[0]!.description).toContain('Line one\n\tindented[31m red end');
    await feedsAreWellFormed('Hostile body window');
  });

  it('writes rows stored before the rule without raw controls: the calendar name on one line, feeds parseable', async () => {
    const res = await window('Stored before the rule', 'Fine for now.');
    const { id } = (await res.json()) as { id: string };
    // As an older version could have stored them.
    site.db.update(incidents).set({ name: 'Old\r\nX-INJECTED:1\u0000name' }).where(eq(incidents.id, id)).run();
    site.db.update(incidentUpdates).set({ body: 'Body with NUL\u0000 and ESC\u001b and \ud800 half \uffff' }).where(eq(incidentUpdates.incidentId, id)).run();
    bumpChangeCounter(site.db);
    const { text, calendar, events } = await calendarOf(id, (body) => body.includes('X-INJECTED'));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Old X-INJECTED:1 name');
    expect(calendar.getFirstProperty('x-injected')).toBeNull();
    expect(events.map((e) => e.summary)).toEqual(['Old X-INJECTED:1 name']);
    expect(hasRawControls(text)).toBe(false);
    await feedsAreWellFormed('X-INJECTED:1');
  });

  it('refuses such names from a Statuspage import and takes controls out of its bodies; feeds and calendars stay readable', async () => {
    fixtures.setEdit((name, doc) => {
      // Maintenance is listed in both documents, as on Statuspage.
      if (name === 'v2/scheduled-maintenances.json' || name === 'v2/incidents.json') {
        for (const w of name === 'v2/incidents.json' ? doc.incidents : doc.scheduled_maintenances) {
          if (w.id === 'e1mq8ow3j6tu') w.name = 'Frankfurt\r\nBEGIN:VEVENT\r\nSUMMARY:injected';
          if (w.id === 'g4vx1z9pe7dh') w.incident_updates[0]!.body = 'Upgrade\u0000 with\u001b[2J controls';
        }
      }
      if (name === 'v2/summary.json') for (const c of doc.components) if (c.name === 'Dashboard') c.name = 'Dash\u0000board';
      return doc;
    });
    try {
      const report = importStatuspage(
        site.db,
        await readStatuspage({ pageUrl: `${fixtures.url}/` }),
        { locale: 'en' },
        { now: Date.now(), actor: { kind: 'system', id: null, label: 'test' } },
      );
      expect(report.adjusted.filter((a) => a.action === 'refused').map((a) => [a.kind, a.id, a.field])).toEqual(
        expect.arrayContaining([
          ['component', '8wrh7kyymdm0', 'name'],
          ['maintenance', 'e1mq8ow3j6tu', 'name'],
        ]),
      );
    } finally {
      fixtures.setEdit(undefined);
    }
    expect(loadComponentTree(site.db, Date.now()).all.map((c) => c.name)).not.toContain('Dash\u0000board');
    expect(site.db.select().from(incidents).where(eq(incidents.id, 'e1mq8ow3j6tu')).get()).toBeUndefined();
    const bodies = site.db.select({ body: incidentUpdates.body }).from(incidentUpdates).where(eq(incidentUpdates.incidentId, 'g4vx1z9pe7dh')).all();
    expect(bodies.filter((b) => b.body.startsWith('Upgrade'))).toEqual([{ body: 'Upgrade with[2J controls' }]);
    expect(bodies.some((b) => hasRawControls(b.body) || b.body.includes('\r'))).toBe(false);
    await feedsAreWellFormed('Database upgrade');
    const { events } = await calendarOf('g4vx1z9pe7dh');
    expect(events.map((e) => e.summary)).toEqual(['Database upgrade']);
  });
});
