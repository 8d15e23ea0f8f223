import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { editIncident } from '../../src/lib/incidents/edit-incident';
import { cancelMaintenance } from '../../src/lib/incidents/cancel-maintenance';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { startTestSite, type TestSite } from '../support/test-server';
import { parseCalendar, type ParsedEvent } from '../support/calendar';
import { until } from '../support/until';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true, env: { TIME_ZONE: 'America/New_York' } });
});
afterAll(async () => {
  await site?.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const get = (path: string, init: RequestInit = {}) => fetch(site.url + path, init);

async function calendar(path: string): Promise<{ text: string; events: ParsedEvent[] }> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type'), path).toBe('text/calendar; charset=utf-8');
  const text = await res.text();
  // RFC 5545: lines end in CRLF and are folded at 75 octets.
  expect(
    text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75),
    path,
  ).toBe(true);
  return { text, events: parseCalendar(text).events };
}

/** The event for a window, once the served calendar shows what `ready` asks for. */
async function eventOf(path: string, id: string, ready: (e: ParsedEvent) => boolean = () => true): Promise<ParsedEvent> {
  return until(async () => {
    const found = (await calendar(path)).events.find((e) => e.uid.startsWith(`${id}@`));
    return found && ready(found) ? found : undefined;
  });
}

function window(name: string, from: number, hours = 2): string {
  const now = Date.now();
  return scheduleMaintenance(site.db, { name, body: `Work on ${name}.`, scheduledFor: from, scheduledUntil: from + hours * HOUR }, { now }).incidentId;
}

describe('the maintenance calendar', () => {
  it("lists upcoming windows with a stable UID, a UTC DTSTAMP and their times in the site's zone", async () => {
    const start = Date.now() + 3 * DAY;
    const id = window('Database upgrade', start);
    const event = await eventOf('/maintenance.ics', id);
    expect(event.uid).toBe(`${id}@${new URL(site.url).host}`);
    expect(event.dtstamp).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    expect(event.tzid).toBe('America/New_York');
    expect(event.start).toBe(start - (start % 1000));
    expect(event.end).toBe(start - (start % 1000) + 2 * HOUR);
    expect(event.status).toBe('CONFIRMED');
    expect(event.summary).toBe('Database upgrade');
    expect(event.description).toContain('Work on Database upgrade.');
    expect(event.url).toBe(`${site.url}/incidents/${id}`);
    const own = await eventOf(`/incidents/${id}.ics`, id);
    expect(own).toEqual(event);
  });

  it('raises SEQUENCE on every change, keeps the UID, and says CANCELLED once cancelled', async () => {
    const id = window('Network switch swap', Date.now() + 5 * DAY);
    const first = await eventOf(`/incidents/${id}.ics`, id);
    editIncident(site.db, id, { name: 'Core switch swap' }, { now: Date.now() });
    const renamed = await eventOf(`/incidents/${id}.ics`, id, (e) => e.summary === 'Core switch swap');
    expect(renamed.sequence).toBeGreaterThan(first.sequence);
    expect(renamed.uid).toBe(first.uid);
    postIncidentUpdate(site.db, id, { status: 'scheduled', body: 'Moved racks first.' }, { now: Date.now() });
    const updated = await eventOf(`/incidents/${id}.ics`, id, (e) => e.sequence > renamed.sequence);
    expect(updated.status).toBe('CONFIRMED');
    cancelMaintenance(site.db, id, {}, { now: Date.now() });
    const cancelled = await eventOf(`/incidents/${id}.ics`, id, (e) => e.status === 'CANCELLED');
    expect(cancelled.sequence).toBeGreaterThan(updated.sequence);
    expect(cancelled.uid).toBe(first.uid);
    const listed = await eventOf('/maintenance.ics', id, (e) => e.status === 'CANCELLED');
    expect(listed.sequence).toBe(cancelled.sequence);
  });

  it('keeps windows of the last thirty days and leaves older ones out', async () => {
    const now = Date.now();
    const recent = scheduleMaintenance(
      site.db,
      { name: 'Recent work', body: 'Done.', scheduledFor: now - 3 * DAY, scheduledUntil: now - 3 * DAY + HOUR, pastRecord: true },
      { now },
    ).incidentId;
    const old = scheduleMaintenance(
      site.db,
      { name: 'Old work', body: 'Done.', scheduledFor: now - 40 * DAY, scheduledUntil: now - 40 * DAY + HOUR, pastRecord: true },
      { now },
    ).incidentId;
    const event = await eventOf('/maintenance.ics', recent);
    expect(event.status).toBe('CONFIRMED');
    const { events } = await calendar('/maintenance.ics');
    expect(events.some((e) => e.uid.startsWith(`${old}@`))).toBe(false);
    // …while its own file stays where the page's link points.
    expect((await eventOf(`/incidents/${old}.ics`, old)).summary).toBe('Old work');
  });

  it('is in Japanese under /ja/, and the 404 for an incident or an unknown id', async () => {
    const id = scheduleMaintenance(
      site.db,
      {
        name: 'Storage move',
        body: 'Moving storage.',
        scheduledFor: Date.now() + 2 * DAY,
        scheduledUntil: Date.now() + 2 * DAY + HOUR,
        translations: { ja: { name: 'ストレージの移設', body: 'ストレージを移設します。' } },
      },
      { now: Date.now() },
    ).incidentId;
    const ja = await eventOf(`/ja/incidents/${id}.ics`, id);
    expect(ja.summary).toBe('ストレージの移設');
    expect(ja.url).toBe(`${site.url}/ja/incidents/${id}`);
    const listed = await calendar('/ja/maintenance.ics');
    expect(listed.text).toContain('X-WR-CALNAME:Fusen Status: メンテナンス');
    expect(listed.events.find((e) => e.uid === ja.uid)?.summary).toBe('ストレージの移設');

    const { incidentId } = openIncident(site.db, { name: 'Not a window', status: 'investigating', body: 'x' }, { now: Date.now() });
    for (const path of [`/incidents/${incidentId}.ics`, '/incidents/zzzzzzzzzzzz.ics', '/incidents/nope.ics', '/ja/incidents/zzzzzzzzzzzz.ics']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('answers HEAD and conditional requests from the cache', async () => {
    for (const path of ['/maintenance.ics', '/ja/maintenance.ics']) {
      const full = await get(path);
      await full.arrayBuffer();
      const head = await get(path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
      expect(await head.text()).toBe('');
      expect((await get(path, { headers: { 'if-none-match': full.headers.get('etag')! } })).status).toBe(304);
    }
  });

  it('is offered as "Add to calendar" on a maintenance page in both languages, and not on an incident\'s', async () => {
    const id = window('Certificate rotation', Date.now() + 4 * DAY);
    const en = await (await get(`/incidents/${id}`)).text();
    expect(en).toContain(`href="/incidents/${id}.ics"`);
    expect(en).toContain('Add to calendar');
    expect(en).toContain('href="/maintenance.ics"');
    const ja = await (await get(`/ja/incidents/${id}`)).text();
    expect(ja).toContain(`href="/ja/incidents/${id}.ics"`);
    expect(ja).toContain('カレンダーに追加');
    const incident = await (await get('/incidents/jun18renewal')).text();
    expect(incident).not.toContain('Add to calendar');
  });
});
