import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { alertGroups, incidentDrafts, notificationEvents, outbox } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { createUser } from '../../src/lib/auth/create-user';
import { saveRule } from '../../src/lib/alerts/save-rule';

// A flood of alerts through the real server: 200 separate deliveries for two
// rules make one draft per rule, and staff get one notice at once and one
// gathered notice at the end of the window that counts the alerts, as mail
// files written by the real delivery worker.
let site: TestSite;
const NOTICE_SECONDS = 4;
beforeAll(async () => {
  site = await startTestSite({ seed: false, env: { ALERT_NOTICE_SECONDS: String(NOTICE_SECONDS) } });
  await createUser(site.db, { email: 'flood-admin@example.com', role: 'admin', password: 'correct horse battery staple' }, { now: Date.now() });
});
afterAll(() => site?.close());

const actor = { kind: 'user' as const, id: 'u1', label: 'admin@example.com' };

async function mailTexts(): Promise<{ subject: string; text: string }[]> {
  const dir = join(site.dir, 'mail');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  return Promise.all(files.map(async (f) => simpleParser(readFileSync(join(dir, f))).then((m) => ({ subject: m.subject ?? '', text: m.text ?? '' }))));
}

describe('an alert flood', () => {
  it('makes one draft per rule from 200 separate deliveries, and few staff mails that say how many alerts came', async () => {
    const ruleA = saveRule(site.db, undefined, { name: 'Nodes down (a)', matchers: ['flood="a"'] }, { now: Date.now(), actor }).id;
    const ruleB = saveRule(site.db, undefined, { name: 'Nodes down (b)', matchers: ['flood="b"'] }, { now: Date.now(), actor }).id;
    const token = createApiToken(site.db, { name: 'flood', scopes: ['alerts'] }, { now: Date.now() }).token;
    const draftsBefore = site.db.select().from(incidentDrafts).all().length;
    const started = Date.now();

    // Each alert its own delivery with its own group key, as a sender grouping by instance sends them.
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${site.url}/api/v1/integrations/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ id: `node-${i}`, status: 'firing', title: `Node ${i} down`, labels: { flood: i % 2 === 0 ? 'a' : 'b', instance: `node-${i}` } }),
      });
      expect(res.status).toBe(200);
    }
    const floodMs = Date.now() - started;

    const groups = site.db
      .select()
      .from(alertGroups)
      .where(inArray(alertGroups.ruleKey, [ruleA, ruleB]))
      .all();
    expect(groups).toHaveLength(2);
    expect(new Set(groups.map((g) => g.draftId)).size).toBe(2);
    expect(site.db.select().from(incidentDrafts).all().length - draftsBefore).toBe(2);

    // One notice at once; what follows within each window waits for the window's end and goes out as one notice.
    const windows = Math.ceil(floodMs / (NOTICE_SECONDS * 1000));
    const events = () => site.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'alert_suggestion')).all();
    expect(events().length).toBeGreaterThanOrEqual(2);
    expect(events().length).toBeLessThanOrEqual(windows + 1);
    const emails = site.db
      .select()
      .from(outbox)
      .where(
        and(
          inArray(
            outbox.eventId,
            events().map((e) => e.id),
          ),
          eq(outbox.channel, 'email'),
        ),
      )
      .all();
    expect(emails).toHaveLength(events().length);

    // The worker sends each gathered notice when its window ends; together the mails count every alert once.
    const deadline = Date.now() + NOTICE_SECONDS * 1000 + 20_000;
    const notices = async () => (await mailTexts()).filter((m) => m.subject.includes('Waiting for you'));
    while ((await notices()).length < events().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const sent = await notices();
    expect(sent).toHaveLength(events().length);
    const counts = sent.map((m) => Number(/(\d+) alerts? came in from a webhook since/.exec(m.text.replace(/\s+/g, ' '))?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.max(...counts)).toBeGreaterThan(1);
    expect(sent.some((m) => m.text.includes('staff hear about one source at most once every few minutes'))).toBe(true);
  }, 120_000);
});
