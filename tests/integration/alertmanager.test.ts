import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { count, eq } from 'drizzle-orm';
import { alertRules, alerts } from '../../db/schema';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager';
import { startReceiver } from '../support/http-receiver';
import { signedInStaff } from '../support/staff';
import { freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';
import { type TokenScope } from '../../src/lib/auth/api-tokens';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { newPublicId } from '../../src/lib/ids';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { fromAlertmanager, fromGrafana, fromWebhook } from '../../src/lib/alerts/payloads';
import { receiveAlerts } from '../../src/lib/alerts/receive-alerts';
import { draftsAnswer, receivedAnswer } from '../../src/lib/api/v1/answers';
import { parseConfig, type Config } from '../../src/lib/config';

interface WebhookPayload {
  version: string;
  groupKey: string;
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }[];
}

/** A draft as `GET /api/v1/incidents?state=draft` lists it. */
interface ListedDraft {
  id: string;
  kind: 'incident' | 'update';
  incident_id: string | null;
  name: string;
  status: string;
  body: string;
  alerts: { source: string; state: string; rule: { name: string } | null; alerts: { name: string; status: string }[] } | null;
}

const fixture = (name: string): unknown => JSON.parse(readFileSync(`tests/fixtures/alerts/${name}`, 'utf8'));

function apiClient(site: TestSite) {
  const token = (scopes: TokenScope[]) => createApiToken(site.db, { name: `alerts ${scopes.join('+')} ${newPublicId()}`, scopes }, { now: Date.now() }).token;
  const readToken = token(['read']);
  const call = (method: string, path: string, bearer: string | null, body?: unknown, raw?: string) =>
    fetch(`${site.url}/api/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  const drafts = async (): Promise<ListedDraft[]> => {
    const res = await call('GET', 'incidents?state=draft', readToken);
    expect(res.status).toBe(200);
    return ((await res.json()) as { drafts: ListedDraft[] }).drafts;
  };
  /** The drafts an alert of this name is behind. */
  const draftsFor = async (alertname: string) => (await drafts()).filter((d) => d.alerts?.alerts.some((a) => a.name === alertname));
  return { token, call, drafts, draftsFor };
}

const publicText = (site: TestSite, path: string) => fetch(site.url + path).then((r) => r.text());
const unresolvedIds = async (site: TestSite) =>
  ((await (await fetch(`${site.url}/api/v2/incidents/unresolved.json`)).json()) as { incidents: { id: string }[] }).incidents.map((i) => i.id);

describe('the Alertmanager harness', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let am: RunningAlertmanager;
  beforeAll(async () => {
    receiver = await startReceiver();
    am = await startAlertmanager({ receiverUrl: `${receiver.url}/api/v1/integrations/alertmanager`, token: 'harness-token' });
  });
  afterAll(async () => {
    await am?.stop();
    await receiver?.close();
  });

  it('delivers a firing alert and its resolution to the webhook with the bearer token, in the version 4 payload', async () => {
    const alert = await am.fire({ alertname: 'HarnessDown', service: 'harness', severity: 'page' }, { annotations: { summary: 'The harness is down' } });
    const firing = await until(() => receiver.received.find((r) => (JSON.parse(r.body) as WebhookPayload).status === 'firing'));
    expect(firing.path).toBe('/api/v1/integrations/alertmanager');
    expect(firing.headers.authorization).toBe('Bearer harness-token');
    const payload = JSON.parse(firing.body) as WebhookPayload;
    expect(payload).toMatchObject({ version: '4', receiver: 'shirase', groupLabels: { alertname: 'HarnessDown', service: 'harness' } });
    expect(payload.alerts).toEqual([expect.objectContaining({ status: 'firing', labels: alert.labels, endsAt: '0001-01-01T00:00:00Z' })]);

    await am.resolve(alert);
    const resolved = await until(() => receiver.received.find((r) => (JSON.parse(r.body) as WebhookPayload).status === 'resolved'));
    const after = JSON.parse(resolved.body) as WebhookPayload;
    expect(after.groupKey).toBe(payload.groupKey);
    expect(after.alerts[0]).toMatchObject({ status: 'resolved', fingerprint: payload.alerts[0]!.fingerprint, startsAt: payload.alerts[0]!.startsAt });
    expect(await am.notifications()).toEqual({ sent: receiver.received.length, failed: 0 });
  });
});

describe('alerts in from the real Alertmanager', () => {
  let site: TestSite;
  let api: ReturnType<typeof apiClient>;
  let alertsToken: string;
  let am: RunningAlertmanager;
  beforeAll(async () => {
    site = await startTestSite({ seed: true });
    api = apiClient(site);
    alertsToken = api.token(['alerts']);
    am = await startAlertmanager({ receiverUrl: `${site.url}/api/v1/integrations/alertmanager`, token: alertsToken });
  });
  afterAll(async () => {
    await am?.stop();
    await site?.close();
  });

  // First, while the Alertmanager has sent nothing: the draft count must not move.
  it('answers 401 for a missing or unknown token, 403 for a token without the alerts scope, and 400 for a malformed body, changing nothing', async () => {
    const before = (await api.drafts()).length;
    const bodies = { alertmanager: fixture('alertmanager-firing.json'), grafana: fixture('grafana-firing.json'), webhook: fixture('webhook-minimal.json') };
    const noAlerts = api.token(['read', 'incidents', 'components', 'maintenance']);
    for (const [source, body] of Object.entries(bodies)) {
      const path = `integrations/${source}`;
      const none = await api.call('POST', path, null, body);
      expect([source, none.status]).toEqual([source, 401]);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect([source, (await api.call('POST', path, 'shr_not-a-token', body)).status]).toEqual([source, 401]);

      const forbidden = await api.call('POST', path, noAlerts, body);
      expect([source, forbidden.status]).toEqual([source, 403]);
      expect(((await forbidden.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('"alerts" scope'),
      });

      const broken = await api.call('POST', path, alertsToken, undefined, '{"status": "firing", "alerts": [');
      expect([source, broken.status]).toEqual([source, 400]);
      const wrongShape = await api.call('POST', path, alertsToken, { status: 'on fire', alerts: 'many' });
      expect([source, wrongShape.status]).toEqual([source, 400]);
      expect(((await wrongShape.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    expect((await api.drafts()).length).toBe(before);
  });

  it('turns a firing alert into a draft that staff publish, and its resolution into a recovery that waits for them too', async () => {
    const alert = await am.fire({ alertname: 'CheckoutDown', service: 'checkout', severity: 'page' }, { annotations: { summary: 'Checkout requests fail' } });
    const [draft] = await until(async () => {
      const found = await api.draftsFor('CheckoutDown');
      return found.length > 0 && found;
    });
    expect(draft).toMatchObject({
      kind: 'incident',
      incident_id: null,
      name: 'CheckoutDown',
      status: 'investigating',
      alerts: { source: 'alertmanager', state: 'firing', rule: null },
    });
    expect(draft!.body).toContain('Checkout requests fail');

    // Staff see it waiting; readers do not.
    const staff = await signedInStaff(site);
    expect(await (await staff.get('/admin')).text()).toContain('CheckoutDown');
    expect(await publicText(site, '/')).not.toContain('CheckoutDown');

    const published = await api.call('POST', `incidents/${draft!.id}/publish`, api.token(['incidents']), {});
    expect(published.status).toBe(201);
    const incident = (await published.json()) as { id: string; name: string; status: string };
    expect(incident).toMatchObject({ name: 'CheckoutDown', status: 'investigating' });
    // Published means public: the status page and the incident's own page show it as the answer arrives.
    expect(await publicText(site, '/')).toContain('CheckoutDown');
    expect(await publicText(site, `/incidents/${incident.id}`)).toContain('Checkout requests fail');
    expect(await api.draftsFor('CheckoutDown')).toEqual([]);

    await am.resolve(alert);
    const recovery = await until(async () => (await api.drafts()).find((d) => d.kind === 'update' && d.incident_id === incident.id));
    expect(recovery).toMatchObject({ status: 'resolved', alerts: { source: 'alertmanager', state: 'resolved' } });
    // Staff find it waiting on the incident's admin page.
    expect(await (await staff.get(`/admin/incidents/${incident.id}`)).text()).toContain(`data-suggestion="${recovery.id}"`);
    // Only suggested: the incident stays open until someone publishes the recovery.
    expect(await unresolvedIds(site)).toContain(incident.id);
    expect(await am.notifications()).toMatchObject({ failed: 0 });

    const recovered = await api.call('POST', `incidents/${recovery.id}/publish`, api.token(['incidents']), {});
    expect(recovered.status).toBe(201);
    expect(await recovered.json()).toMatchObject({ id: incident.id, status: 'resolved' });
    await until(async () => !(await unresolvedIds(site)).includes(incident.id));
  });

  it("changes nothing on Alertmanager's repeats of the same alert", async () => {
    // A second Alertmanager that sends the still-firing group again every second.
    const repeating = await startAlertmanager({ receiverUrl: `${site.url}/api/v1/integrations/alertmanager`, token: alertsToken, repeatInterval: '1s' });
    try {
      const alert = await repeating.fire({ alertname: 'QueueBacklog', service: 'jobs' }, { annotations: { summary: 'Jobs wait longer than 5 minutes' } });
      await until(async () => (await api.draftsFor('QueueBacklog')).length > 0);
      // The same alert posted to Alertmanager again, as Prometheus does on every evaluation.
      await repeating.post([alert]);
      await until(async () => (await repeating.notifications()).sent >= 4, 15_000);
      expect(await repeating.notifications()).toMatchObject({ failed: 0 });
      expect(await api.draftsFor('QueueBacklog')).toHaveLength(1);
      expect(site.db.select({ n: count() }).from(alerts).where(eq(alerts.name, 'QueueBacklog')).get()!.n).toBe(1);
    } finally {
      await repeating.stop();
    }
  });

  it('refuses an Alertmanager whose token lacks the alerts scope, which counts the delivery as failed', async () => {
    const misconfigured = await startAlertmanager({ receiverUrl: `${site.url}/api/v1/integrations/alertmanager`, token: api.token(['read', 'incidents']) });
    try {
      await misconfigured.fire({ alertname: 'WrongToken', service: 'jobs' });
      await until(async () => (await misconfigured.notifications()).failed >= 1);
      expect(misconfigured.output()).toMatch(/unexpected status code 403/);
      expect(await api.draftsFor('WrongToken')).toEqual([]);
      expect(site.db.select({ n: count() }).from(alerts).where(eq(alerts.name, 'WrongToken')).get()!.n).toBe(0);
    } finally {
      await misconfigured.stop();
    }
  });

  it('opens the incident and sets the components itself for a rule that publishes, and applies its recovery', async () => {
    const attachments = () => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === 'File attachments')!;
    insertRule(site, {
      name: 'Uploads down',
      matchers: [{ label: 'service', op: '=', value: 'attachments' }],
      components: [{ componentId: attachments().id, status: 'major_outage' }],
      action: 'publish',
      recovery: 'apply',
    });
    const alert = await am.fire(
      { alertname: 'UploadsFailing', service: 'attachments', severity: 'page' },
      { annotations: { summary: 'Uploads fail with 503' } },
    );

    const summary = async () =>
      (await (await fetch(`${site.url}/api/v2/summary.json`)).json()) as {
        components: { id: string; status: string }[];
        incidents: { id: string; name: string; status: string }[];
      };
    const during = await until(async () => {
      const now = await summary();
      return now.incidents.some((i) => i.name === 'Problems with File attachments') && now;
    });
    const opened = during.incidents.find((i) => i.name === 'Problems with File attachments')!;
    expect(opened.status).toBe('investigating');
    expect(during.components.find((c) => c.id === attachments().id)?.status).toBe('major_outage');
    expect(await api.draftsFor('UploadsFailing')).toEqual([]);

    await am.resolve(alert);
    // Each public document is refreshed in its turn after the write: wait for summary.json, then read it.
    const after = await until(async () => {
      const now = await summary();
      return !now.incidents.some((i) => i.id === opened.id) && now;
    });
    expect(after.components.find((c) => c.id === attachments().id)?.status).toBe('operational');
  });
});

describe('alerts read from each source', () => {
  // What each endpoint does with its payload, called as the endpoint calls it
  // (routes.ts: the source's reader, then receiveAlerts, answered by
  // receivedAnswer): HTTP adds nothing here. The real Alertmanager above goes
  // through HTTP, and so do the refusals, which are HTTP's own.
  let database: ReturnType<typeof freshDatabase>;
  let config: Config;
  beforeAll(() => {
    database = freshDatabase({ seed: true });
    config = parseConfig({ DATABASE_PATH: database.databasePath });
    // These read each payload as no rule would: the demo's rule "API down" would take the fixtures' service="api" alerts.
    database.db.delete(alertRules).run();
  });
  afterAll(() => {
    database?.db.$client.close();
    if (database) rmSync(database.dir, { recursive: true, force: true });
  });

  interface Received {
    received: number;
    changed: number;
    groups: { outcome: string; draft_id: string | null }[];
  }
  const READERS = { alertmanager: fromAlertmanager, grafana: fromGrafana, webhook: fromWebhook };
  const post = async (source: keyof typeof READERS, body: unknown): Promise<Received> => {
    const answer = receivedAnswer(receiveAlerts(database.db, config, READERS[source](body), { now: Date.now() }));
    expect(answer.status).toBe(200);
    return answer.body as Received;
  };
  const api = {
    draftsFor: async (alertname: string) =>
      (draftsAnswer(database.db).body as { drafts: ListedDraft[] }).drafts.filter((d) => d.alerts?.alerts.some((a) => a.name === alertname)),
  };

  it('reads the Alertmanager payload: one draft for the group, however many alerts it holds', async () => {
    const first = await post('alertmanager', fixture('alertmanager-firing.json'));
    expect(first).toMatchObject({ received: 2, changed: 2, groups: [{ outcome: 'suggested' }] });
    const [draft] = await api.draftsFor('ApiErrorRateHigh');
    expect(draft).toMatchObject({
      id: first.groups[0]!.draft_id,
      name: 'ApiErrorRateHigh',
      alerts: { source: 'alertmanager', alerts: [{ status: 'firing' }, { status: 'firing' }] },
    });

    expect(await post('alertmanager', fixture('alertmanager-firing.json'))).toMatchObject({ received: 2, changed: 0 });
    expect(await post('alertmanager', fixture('alertmanager-resolved.json'))).toMatchObject({
      changed: 2,
      groups: [{ outcome: 'recovery_suggested', draft_id: draft!.id }],
    });
    expect(await api.draftsFor('ApiErrorRateHigh')).toHaveLength(1);
  });

  it("reads Grafana's webhook payload", async () => {
    const first = await post('grafana', fixture('grafana-firing.json'));
    expect(first).toMatchObject({ received: 1, changed: 1, groups: [{ outcome: 'suggested' }] });
    expect(await api.draftsFor('Sign-in latency high')).toEqual([
      expect.objectContaining({ id: first.groups[0]!.draft_id, name: 'Sign-in latency high', alerts: expect.objectContaining({ source: 'grafana' }) }),
    ]);
    const draft = (await api.draftsFor('Sign-in latency high'))[0]!;
    expect(draft.body).toContain('Sign-in is slow');

    expect(await post('grafana', fixture('grafana-firing.json'))).toMatchObject({ changed: 0 });
    expect(await post('grafana', fixture('grafana-resolved.json'))).toMatchObject({ changed: 1, groups: [{ outcome: 'recovery_suggested' }] });
    expect(await api.draftsFor('Sign-in latency high')).toHaveLength(1);
  });

  it('reads the generic webhook, with every field or only the required ones', async () => {
    const first = await post('webhook', fixture('webhook-firing.json'));
    expect(first).toMatchObject({ received: 1, changed: 1, groups: [{ outcome: 'suggested' }] });
    const [draft] = await api.draftsFor('Primary database unreachable');
    expect(draft).toMatchObject({ name: 'Primary database unreachable', alerts: { source: 'webhook' } });
    expect(draft!.body).toContain('Connections to db-1 time out from every app server');

    expect(await post('webhook', fixture('webhook-firing.json'))).toMatchObject({ changed: 0 });
    expect(await post('webhook', fixture('webhook-resolved.json'))).toMatchObject({ changed: 1, groups: [{ outcome: 'recovery_suggested' }] });

    expect(await post('webhook', fixture('webhook-minimal.json'))).toMatchObject({ changed: 1, groups: [{ outcome: 'suggested' }] });
    expect(await api.draftsFor('Nightly export late')).toHaveLength(1);
  });
});

/** A rule row as staff would save it; the fields this test does not name keep their defaults. */
function insertRule(
  site: TestSite,
  rule: {
    name: string;
    matchers: { label: string; op: string; value: string }[];
    components: { componentId: string; status: string }[];
    action: 'suggest' | 'publish';
    recovery: 'suggest' | 'apply';
  },
) {
  const now = Date.now();
  const position = site.db.select({ n: count() }).from(alertRules).get()!.n;
  site.db
    .insert(alertRules)
    .values({
      id: newPublicId(),
      name: rule.name,
      matchers: JSON.stringify(rule.matchers),
      components: JSON.stringify(rule.components),
      action: rule.action,
      recovery: rule.recovery,
      position,
      createdAt: now,
      updatedAt: now,
    })
    .run();
}
