// The page's status on every surface a customer reads (the banner, the embed,
// the badge, status.json) follows each update of an incident whose impact is
// worked out from component statuses, along the June 18 sequence: degraded,
// then down, then in Monitoring with the web app and API back and two apps
// still degraded, then resolved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { editIncident } from '../../src/lib/incidents/edit-incident';
import type { ComponentStatus } from '../../src/lib/status/vocabulary';

let site: TestSite;
let ids: Record<'web' | 'api' | 'ios' | 'android', string>;

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  const { components } = (await (await fetch(site.url + '/api/v2/components.json')).json()) as { components: { id: string; name: string }[] };
  const id = (name: string) => components.find((c) => c.name === name)!.id;
  ids = { web: id('Web app'), api: id('API'), ios: id('iOS app'), android: id('Android app') };
});
afterAll(() => site?.close());

const ctx = () => ({ now: Date.now() });
const set = (statuses: Partial<Record<keyof typeof ids, ComponentStatus>>) =>
  Object.entries(statuses).map(([key, status]) => ({ componentId: ids[key as keyof typeof ids], status: status! }));

/** What each surface says once the pages show the last write. */
async function surfaces(): Promise<{ banner: string; embed: string; badge: string; api: { indicator: string; description: string } }> {
  await site.server.checkForChanges();
  await site.server.checkForChanges();
  const home = await (await fetch(site.url + '/en/')).text();
  const embed = await (await fetch(site.url + '/en/embed')).text();
  const badge = await (await fetch(site.url + '/badge.svg')).text();
  const { status } = (await (await fetch(site.url + '/api/v2/status.json')).json()) as { status: { indicator: string; description: string } };
  return {
    banner: /<h1 id="banner-title">([^<]*)<\/h1>/.exec(home)![1]!,
    embed: /class="embed-status"[^>]*>(?:<span[^>]*><\/span>)?([^<]*)<\/h1>/.exec(embed)![1]!,
    badge: /<title>[^<]*: ([^<]*)<\/title>/.exec(badge)![1]!,
    api: status,
  };
}

function expectEverywhere(got: Awaited<ReturnType<typeof surfaces>>, indicator: string, description: string) {
  expect(got.api).toEqual({ indicator, description });
  expect(got.banner).toBe(description);
  expect(got.embed).toBe(description);
  expect(got.badge).toBe(description);
}

describe('the page status of an incident whose impact comes from its components', () => {
  it('follows each update at once, on the banner, the embed, the badge and status.json', async () => {
    const before = await surfaces();
    expectEverywhere(before, 'none', 'All Systems Operational');

    // 07:00: response times degrade.
    const { incidentId } = openIncident(
      site.db,
      {
        name: 'Slow and unreachable after the renewal',
        status: 'investigating',
        body: 'Boards load slowly.',
        components: set({ web: 'degraded_performance', api: 'degraded_performance' }),
      },
      ctx(),
    );
    expectEverywhere(await surfaces(), 'minor', 'Partially Degraded Service');

    // 08:00: unreachable.
    postIncidentUpdate(
      site.db,
      incidentId,
      {
        status: 'identified',
        body: 'The service cannot be reached.',
        components: set({ web: 'major_outage', api: 'major_outage', ios: 'major_outage', android: 'major_outage' }),
      },
      ctx(),
    );
    expectEverywhere(await surfaces(), 'critical', 'Major System Outage');

    // Monitoring: the web app and API are back, the two apps still slow. The incident's record keeps
    // its worst impact; the page says what holds now.
    postIncidentUpdate(
      site.db,
      incidentId,
      {
        status: 'monitoring',
        body: 'The rollback is out; the apps are catching up.',
        components: set({ web: 'operational', api: 'operational', ios: 'degraded_performance', android: 'degraded_performance' }),
      },
      ctx(),
    );
    const monitoring = await surfaces();
    expectEverywhere(monitoring, 'minor', 'Partially Degraded Service');
    const incident = (await (await fetch(`${site.url}/api/v2/incidents/unresolved.json`)).json()) as { incidents: { id: string; impact: string }[] };
    expect(incident.incidents.find((i) => i.id === incidentId)!.impact).toBe('critical');

    // On the front page the open incident shows its latest update, since when and for how long, and how many came before.
    for (const [path, since, earlier] of [
      ['/en/', /Open since [^<]*<time datetime="[^"]+">[^<]+<\/time>, for \d+ min so far/, 'Read the whole timeline (2 earlier updates)'],
      ['/ja/', /<time datetime="[^"]+">[^<]+<\/time> から対応中\(\d+分 経過\)/, '経緯をすべて読む(これまでの更新 2 件)'],
    ] as const) {
      const card = /<article class="incident[^"]*" data-incident-id="(\w+)"[\s\S]*?<\/article>/.exec(await (await fetch(site.url + path)).text())!;
      expect(card[1]).toBe(incidentId);
      expect(card[0]).toMatch(since);
      expect(card[0]).toContain(earlier);
      expect(card[0].match(/<li class="update"/g), 'one update shown').toHaveLength(1);
    }
    expect(await (await fetch(site.url + '/en/')).text()).toContain('The rollback is out; the apps are catching up.');
    // The incident's own page, where shared links land, offers the same ways to hear of the next update.
    const page = await (await fetch(`${site.url}/en/incidents/${incidentId}`)).text();
    expect(page).toContain('href="/en/subscribe"');
    expect(page).toMatch(/<form method="get" action="\/en\/subscribe" class="push-form/);

    // An impact staff set themselves still raises the page while the incident is open.
    editIncident(site.db, incidentId, { impact: 'major' }, ctx());
    expectEverywhere(await surfaces(), 'major', 'Partial System Outage');
    editIncident(site.db, incidentId, { impact: 'auto' }, ctx());
    expectEverywhere(await surfaces(), 'minor', 'Partially Degraded Service');

    resolveIncident(site.db, incidentId, { body: 'Everything works again.' }, ctx());
    expectEverywhere(await surfaces(), 'none', 'All Systems Operational');
  });
});
