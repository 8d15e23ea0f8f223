import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { generate } from 'selfsigned';
import { alertGroups, auditLog, checkResults, checks, incidentDrafts } from '../../db/schema';
import { listAudit } from '../../src/lib/audit/list-audit';
import type { Db } from '../../db/open';
import { parseConfig, type Config } from '../../src/lib/config';
import type { AlertDelivery } from '../../src/lib/alerts/alert';
import { createCheck, editCheck } from '../../src/lib/checks/save-check';
import { deleteCheck } from '../../src/lib/checks/delete-check';
import { runCheck, type SendAlerts } from '../../src/lib/checks/run-check';
import { describeFailure } from '../../src/lib/checks/check-failure';
import { listChecks, checkChart } from '../../src/lib/checks/check-views';
import { pruneCheckResults } from '../../src/lib/checks/prune-check-results';
import type { CheckInput } from '../../src/lib/checks/check-input';
import { ShiraseError } from '../../src/lib/errors';
import type { Actor } from '../../src/lib/write-context';
import { freePort, freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { until } from '../support/until';

const DAY = 86_400_000;
const admin: Actor = { kind: 'user', id: null, label: 'checks-admin@example.com' };

/** A loopback server that answers by path: healthy, failing, without the keyword, hanging, redirecting, or streaming without end. */
function answer(req: IncomingMessage, res: ServerResponse) {
  switch (req.url) {
    case '/ok':
      return res.end('service: HEALTHY');
    case '/500':
      res.statusCode = 500;
      return res.end('HEALTHY but broken');
    case '/plain':
      return res.end('nothing to see');
    case '/hang':
      return; // never answers
    case '/moved':
      res.writeHead(301, { location: '/500' });
      return res.end();
    case '/endless': {
      // The keyword first, then bytes for ever: the probe must stop reading at its limit and still judge.
      res.write('HEALTHY');
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    case '/late-keyword':
      // The keyword only after the first 1.5 MB: past what a probe reads.
      res.write(Buffer.alloc(1_500_000, 'a'));
      return res.end('HEALTHY');
    case '/flaky':
      res.statusCode = flaky === 'ok' ? 200 : 503;
      return res.end(flaky === 'ok' ? 'HEALTHY' : 'down');
    default:
      res.statusCode = 404;
      return res.end();
  }
}
let flaky: 'ok' | 'fail' = 'fail';

let db: Db;
let dir: string;
let config: Config;
let web: { url: string; close(): Promise<void> };
let tls: { url: string; notAfter: number; close(): Promise<void> };
let refusedPort: number;

async function listen(server: ReturnType<typeof createHttpServer> | ReturnType<typeof createHttpsServer>, scheme: string) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const base: CheckInput = {
  name: 'Probe',
  kind: 'http',
  target: '',
  intervalSeconds: 30,
  timeoutSeconds: 2,
  expectedStatus: '200',
  failuresBefore: 3,
  labels: '',
};
let counter = 0;
function addCheck(input: Partial<CheckInput>): string {
  return createCheck(db, { ...base, name: `Probe ${++counter}`, ...input }, { now: Date.now(), actor: admin }).id;
}
const resultsOf = (id: string) => db.select().from(checkResults).where(eq(checkResults.checkId, id)).orderBy(checkResults.id).all();
const checkRow = (id: string) => db.select().from(checks).where(eq(checks.id, id)).get()!;

/** What reached the alert receiver, in order. */
function recorder() {
  const sent: { delivery: AlertDelivery; actor: Actor | undefined }[] = [];
  const send: SendAlerts = (_db, _config, delivery, ctx) => {
    sent.push({ delivery, actor: ctx.actor });
  };
  return { sent, send };
}

beforeAll(async () => {
  ({ db, dir } = freshDatabase({ seed: false }));
  config = parseConfig({ DATABASE_PATH: `${dir}/shirase.db`, SITE_URL: 'https://status.example.com', TIME_ZONE: 'Asia/Tokyo' });
  web = await listen(createHttpServer(answer), 'http');
  // A self-signed certificate that expires in five days.
  const notAfter = new Date(Date.now() + 5 * DAY);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    notBeforeDate: new Date(Date.now() - DAY),
    notAfterDate: notAfter,
    keySize: 2048,
  });
  const https = await listen(createHttpsServer({ key: pems.private, cert: pems.cert }, answer), 'https');
  tls = { ...https, notAfter: notAfter.getTime() };
  refusedPort = await freePort();
});
afterAll(async () => {
  await web?.close();
  await tls?.close();
  db?.$client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one probe', () => {
  it('records a healthy HTTP answer with its response time and status', async () => {
    const id = addCheck({ target: `${web.url}/ok`, keyword: 'HEALTHY' });
    const run = await runCheck(db, config, id, { send: recorder().send });
    expect(run?.outcome).toMatchObject({ ok: true, statusCode: 200, failure: null });
    const [result] = resultsOf(id);
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(result!.ms).toBeGreaterThanOrEqual(0);
    expect(checkRow(id)).toMatchObject({ state: 'up', consecutiveFailures: 0, failingSince: null });
    expect(checkRow(id).lastCheckedAt).toBe(result!.at);
  });

  it('fails on a status outside the expected range, and follows no redirect', async () => {
    const failing = addCheck({ target: `${web.url}/500`, expectedStatus: '200-399' });
    await runCheck(db, config, failing, { send: recorder().send });
    expect(resultsOf(failing)[0]).toMatchObject({ ok: false, statusCode: 500 });
    expect(describeFailure('en', resultsOf(failing)[0]!.error)).toBe('HTTP 500, expected 200-399');
    expect(describeFailure('ja', resultsOf(failing)[0]!.error)).toBe('HTTP 500(期待は 200-399)');

    // The redirect points at the failing page; the 301 itself is what is judged.
    const moved = addCheck({ target: `${web.url}/moved`, expectedStatus: '200-399' });
    await runCheck(db, config, moved, { send: recorder().send });
    expect(resultsOf(moved)[0]).toMatchObject({ ok: true, statusCode: 301 });
    const strict = addCheck({ target: `${web.url}/moved`, expectedStatus: '200' });
    await runCheck(db, config, strict, { send: recorder().send });
    expect(resultsOf(strict)[0]).toMatchObject({ ok: false, statusCode: 301 });
  });

  it('fails when the body lacks the keyword, reading at most 1 MB of it', async () => {
    const missing = addCheck({ target: `${web.url}/plain`, keyword: 'HEALTHY' });
    await runCheck(db, config, missing, { send: recorder().send });
    expect(resultsOf(missing)[0]).toMatchObject({ ok: false, statusCode: 200 });
    expect(describeFailure('en', resultsOf(missing)[0]!.error)).toBe('The response did not contain “HEALTHY”');

    const late = addCheck({ target: `${web.url}/late-keyword`, keyword: 'HEALTHY' });
    await runCheck(db, config, late, { send: recorder().send });
    expect(resultsOf(late)[0]).toMatchObject({ ok: false, statusCode: 200 });

    // A body without end is cut at the limit and judged on what was read, well within the timeout.
    const endless = addCheck({ target: `${web.url}/endless`, keyword: 'HEALTHY', timeoutSeconds: 20 });
    const run = await runCheck(db, config, endless, { send: recorder().send });
    expect(run?.outcome).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('gives up on an answer that takes longer than the timeout', async () => {
    const id = addCheck({ target: `${web.url}/hang`, timeoutSeconds: 1 });
    await runCheck(db, config, id, { send: recorder().send });
    expect(resultsOf(id)[0]).toMatchObject({ ok: false, ms: null, statusCode: null });
    expect(describeFailure('en', resultsOf(id)[0]!.error)).toBe('No answer within 1 s');
  });

  it('records the expiry of a certificate it does not trust, and says why it failed', async () => {
    const id = addCheck({ target: `${tls.url}/ok`, certWarnDays: 14 });
    await runCheck(db, config, id, { send: recorder().send });
    const [result] = resultsOf(id);
    expect(result!.ok).toBe(false);
    expect(describeFailure('en', result!.error)).toMatch(/^The certificate was not accepted \(.*SELF_SIGNED.*\)$/);
    // X.509 keeps whole seconds.
    expect(Math.abs(checkRow(id).certExpiresAt! - tls.notAfter)).toBeLessThan(1000);
    const listed = listChecks(db, Date.now()).find((c) => c.check.id === id)!;
    expect(listed.certWarning).toBe(true);
    // Eight days before expiry is outside a seven-day warning.
    editCheck(db, id, { ...base, name: checkRow(id).name, target: `${tls.url}/ok`, certWarnDays: 4 }, { now: Date.now(), actor: admin });
    expect(listChecks(db, Date.now()).find((c) => c.check.id === id)!.certWarning).toBe(false);
  });

  it('connects to a TCP port, and fails on one that refuses', async () => {
    const open = addCheck({ kind: 'tcp', target: web.url.replace('http://', '') });
    await runCheck(db, config, open, { send: recorder().send });
    expect(resultsOf(open)[0]).toMatchObject({ ok: true, statusCode: null });

    const refused = addCheck({ kind: 'tcp', target: `127.0.0.1:${refusedPort}` });
    await runCheck(db, config, refused, { send: recorder().send });
    expect(resultsOf(refused)[0]).toMatchObject({ ok: false, ms: null });
    expect(describeFailure('en', resultsOf(refused)[0]!.error)).toBe('The connection was refused');
    expect(describeFailure('ja', resultsOf(refused)[0]!.error)).toBe('接続を拒否されました');
  });
});

describe('failures in a row', () => {
  it('fires the alert after N failures, once, and resolves it at the first success', async () => {
    flaky = 'fail';
    const id = addCheck({ name: 'Checkout API', target: `${web.url}/flaky`, failuresBefore: 3, labels: 'service=api\nteam = payments' });
    const { sent, send } = recorder();
    await runCheck(db, config, id, { send });
    await runCheck(db, config, id, { send });
    expect(sent).toHaveLength(0);
    expect(checkRow(id)).toMatchObject({ state: 'unknown', consecutiveFailures: 2 });
    const firstFailure = resultsOf(id)[0]!.at;
    expect(checkRow(id).failingSince).toBe(firstFailure);

    await runCheck(db, config, id, { send });
    expect(checkRow(id)).toMatchObject({ state: 'down', consecutiveFailures: 3 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.actor).toEqual({ kind: 'system', id: null, label: 'check Checkout API' });
    expect(sent[0]!.delivery).toEqual({
      source: 'check',
      groupKey: `check:${id}`,
      alerts: [
        {
          fingerprint: `check:${id}`,
          status: 'firing',
          name: 'Checkout API',
          summary: `${web.url}/flaky: HTTP 503, expected 200 (3 failures in a row)`,
          labels: { alertname: 'Checkout API', check: 'Checkout API', service: 'api', team: 'payments' },
          startsAt: firstFailure,
          endsAt: null,
          url: `https://status.example.com/admin/checks/${id}`,
        },
      ],
    });

    // Still failing: nothing more is sent.
    await runCheck(db, config, id, { send });
    expect(sent).toHaveLength(1);
    expect(checkRow(id)).toMatchObject({ state: 'down', consecutiveFailures: 4, failingSince: firstFailure });

    flaky = 'ok';
    await runCheck(db, config, id, { send });
    const recovered = resultsOf(id).at(-1)!;
    expect(recovered.ok).toBe(true);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.delivery.alerts[0]).toMatchObject({ fingerprint: `check:${id}`, status: 'resolved', startsAt: firstFailure, endsAt: recovered.at });
    expect(checkRow(id)).toMatchObject({ state: 'up', consecutiveFailures: 0, failingSince: null });
    expect(resultsOf(id).map((r) => r.ok)).toEqual([false, false, false, false, true]);
  });

  it('keeps the result when the alert cannot be taken in, and sends it again at the next run', async () => {
    flaky = 'fail';
    const id = addCheck({ target: `${web.url}/flaky`, failuresBefore: 1 });
    const refusing: SendAlerts = () => {
      throw new Error('the alerts table is locked');
    };
    await expect(runCheck(db, config, id, { send: refusing })).rejects.toThrow(/locked/);
    expect(resultsOf(id)).toHaveLength(1);
    expect(checkRow(id)).toMatchObject({ state: 'unknown', consecutiveFailures: 1 });

    const { sent, send } = recorder();
    await runCheck(db, config, id, { send });
    expect(sent.map((s) => s.delivery.alerts[0]!.status)).toEqual(['firing']);
    // The alert starts where the failures did, not at the run that finally sent it.
    expect(sent[0]!.delivery.alerts[0]!.startsAt).toBe(resultsOf(id)[0]!.at);
    expect(checkRow(id).state).toBe('down');
  });
});

describe('through the alert rules', () => {
  it('suggests a draft through receiveAlerts after N failures, once, and notes the recovery on it', async () => {
    flaky = 'fail';
    const id = addCheck({ name: 'Billing health', target: `${web.url}/flaky`, failuresBefore: 2, labels: 'service=billing' });
    const groupsOf = () =>
      db
        .select()
        .from(alertGroups)
        .where(and(eq(alertGroups.source, 'check'), eq(alertGroups.groupKey, `check:${id}`)))
        .all();
    await runCheck(db, config, id);
    expect(groupsOf()).toHaveLength(0);
    await runCheck(db, config, id);
    const [group] = groupsOf();
    expect(group).toMatchObject({ state: 'firing', ruleKey: '', incidentId: null });
    const draft = db.select().from(incidentDrafts).where(eq(incidentDrafts.id, group!.draftId!)).get()!;
    const input = JSON.parse(draft.input) as { name: string; body: string };
    expect(input.name).toBe('Billing health');
    expect(input.body).toContain(`${web.url}/flaky: HTTP 503, expected 200 (2 failures in a row)`);

    // Failing on changes nothing more.
    await runCheck(db, config, id);
    expect(groupsOf()).toHaveLength(1);
    expect(db.select().from(incidentDrafts).where(eq(incidentDrafts.id, draft.id)).get()!.version).toBe(draft.version);

    flaky = 'ok';
    await runCheck(db, config, id);
    expect(groupsOf()).toEqual([expect.objectContaining({ id: group!.id, state: 'resolved' })]);
    // The audit log names the check as the one who wrote each step.
    const steps = db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, 'alert_group'), eq(auditLog.entityId, group!.id)))
      .all();
    expect(steps.map((a) => [a.action, a.actorKind, a.actorLabel])).toEqual([
      ['alerts.suggested', 'system', 'check Billing health'],
      ['alerts.recovery_suggested', 'system', 'check Billing health'],
    ]);
  });
});

describe('keeping checks', () => {
  it('refuses bad input with a field error for each problem, in both languages', () => {
    let error: unknown;
    try {
      createCheck(
        db,
        {
          ...base,
          name: 'Bad',
          kind: 'http',
          target: 'ftp://example.com',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          expectedStatus: '2xx',
          certWarnDays: 7,
          labels: 'service=api\nnot a label\ncheck=x',
        },
        { now: Date.now(), actor: admin },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShiraseError);
    const e = error as ShiraseError;
    expect(e.code).toBe('VALIDATION');
    expect(e.fields.map((f) => f.field).sort()).toEqual(['certWarnDays', 'expectedStatus', 'intervalSeconds', 'labels', 'labels', 'target']);
    const ja = e.localized('ja').fields.find((f) => f.field === 'intervalSeconds')!.message;
    expect(ja).toBe('30 から 86400 までの整数(秒)を入力してください。');
    expect(e.localized('en').fields.find((f) => f.field === 'target')!.message).toMatch(/http:\/\/ or https:\/\//);
    expect(() =>
      createCheck(
        db,
        { ...base, name: 'Slow', kind: 'tcp', target: 'db.internal:5432', intervalSeconds: 30, timeoutSeconds: 60 },
        { now: Date.now(), actor: admin },
      ),
    ).toThrow(ShiraseError);
  });

  it('audits every change, and deleting a check deletes its results', async () => {
    const id = addCheck({ target: `${web.url}/ok` });
    await runCheck(db, config, id, { send: recorder().send });
    editCheck(db, id, { ...base, name: 'Renamed probe', target: `${web.url}/ok`, intervalSeconds: 45 }, { now: Date.now(), actor: admin });
    expect(checkRow(id)).toMatchObject({ name: 'Renamed probe', intervalSeconds: 45, version: 2, state: 'up' });
    expect(() => editCheck(db, id, { ...base, name: 'Stale', target: `${web.url}/ok`, version: 1 }, { now: Date.now(), actor: admin })).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
    // The audit log names a check that exists, and links to it.
    const named = listAudit(db, {}, 'Asia/Tokyo', 'admin').rows.filter((r) => r.entityType === 'check' && r.entityId === id);
    expect(named.map((r) => [r.entityName, r.entityHref])).toEqual([
      ['Renamed probe', `/admin/checks/${id}`],
      ['Renamed probe', `/admin/checks/${id}`],
    ]);
    deleteCheck(db, id, { now: Date.now(), actor: admin });
    expect(resultsOf(id)).toHaveLength(0);
    const actions = db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, 'check'), eq(auditLog.entityId, id)))
      .all()
      .map((a) => [a.action, a.actorLabel]);
    expect(actions).toEqual([
      ['check.create', admin.label],
      ['check.edit', admin.label],
      ['check.delete', admin.label],
    ]);
  });

  it('prunes results older than 90 days and charts the rest per day and per hour', () => {
    const id = addCheck({ target: `${web.url}/ok` });
    const now = Date.now();
    db.insert(checkResults)
      .values([
        { checkId: id, at: now - 91 * DAY, ok: true, ms: 10 },
        { checkId: id, at: now - 2 * DAY, ok: true, ms: 100 },
        { checkId: id, at: now - 2 * DAY + 1000, ok: true, ms: 300 },
        { checkId: id, at: now - 2 * DAY + 2000, ok: false, ms: null, error: JSON.stringify({ code: 'refused' }) },
        { checkId: id, at: now - 60_000, ok: true, ms: 50 },
      ])
      .run();
    expect(pruneCheckResults(db, now)).toBeGreaterThanOrEqual(1);
    expect(resultsOf(id).map((r) => r.ms)).toEqual([100, 300, null, 50]);
    const days = checkChart(db, id, '90d', now, 'Asia/Tokyo');
    expect(days).toHaveLength(90);
    expect(days.filter((d) => d.runs > 0).map((d) => [d.runs, d.failures, d.avgMs, d.maxMs])).toEqual([
      [3, 1, 200, 300],
      [1, 0, 50, 50],
    ]);
    const hours = checkChart(db, id, '24h', now, 'Asia/Tokyo');
    expect(hours).toHaveLength(24);
    expect(hours.reduce((n, h) => n + h.runs, 0)).toBe(1);
  });
});

describe('the checks screens and the loop', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: false, env: { SITE_URL: 'https://status.example.com' } });
  });
  afterAll(async () => {
    // A probe still waiting on the hanging target must not hold the server's close.
    await site?.close();
  });

  it('lets an admin add a check that the loop runs at once, shown with its chart', async () => {
    const staff = await signedInStaff(site, 'admin');
    const res = await staff.post('/admin/checks/new', {
      name: 'Loopback health',
      kind: 'http',
      target: `${web.url}/ok`,
      intervalSeconds: '60',
      timeoutSeconds: '5',
      failuresBefore: '2',
      expectedStatus: '200',
      keyword: 'HEALTHY',
      labels: 'service=api',
      enabled: 'on',
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    const id = /\/admin\/checks\/([0-9a-z]{12})\?done=checkAdded$/.exec(location)![1]!;
    await until(() => site.db.select().from(checkResults).where(eq(checkResults.checkId, id)).get());
    const page = await (await staff.get(`/admin/checks/${id}`)).text();
    expect(page).toContain('Loopback health');
    expect(page).toContain('class="check-chart-svg"');
    expect(page).toMatch(/Days in Asia\/Tokyo \((JST|GMT\+9)\)/);
    expect(page).toContain('service=api');
    const list = await (await staff.get('/admin/checks')).text();
    expect(list).toContain(`data-check="${id}"`);
    expect(list).toContain('100.00%');

    // A hanging target with a long timeout, running when the server closes (afterAll).
    const hang = await staff.post('/admin/checks/new', {
      name: 'Hangs',
      kind: 'http',
      target: `${web.url}/hang`,
      intervalSeconds: '120',
      timeoutSeconds: '100',
      failuresBefore: '3',
      enabled: 'on',
    });
    expect(hang.status).toBe(303);
  });

  it('lets editors look but not change, and says form errors in Japanese on /ja/', async () => {
    const editor = await signedInStaff(site, 'editor');
    expect((await editor.get('/admin/checks')).status).toBe(200);
    const refused = await editor.post('/admin/checks/new', { name: 'Mine', kind: 'tcp', target: '127.0.0.1:1', enabled: 'on' });
    expect(refused.status).toBe(403);
    expect(site.db.select().from(checks).where(eq(checks.name, 'Mine')).get()).toBeUndefined();

    const staff = await signedInStaff(site, 'admin');
    const res = await staff.post('/ja/admin/checks/new', { name: 'Too often', kind: 'http', target: `${web.url}/ok`, intervalSeconds: '10', enabled: 'on' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('30 から 86400 までの整数(秒)を入力してください。');
    // What was typed is kept.
    expect(html).toContain('value="Too often"');
  });

  it('asks before deleting a check, then deletes it', async () => {
    const staff = await signedInStaff(site, 'admin');
    const created = await staff.post('/admin/checks/new', { name: 'Short-lived', kind: 'tcp', target: `127.0.0.1:${refusedPort}`, enabled: '' });
    const id = /checks\/([0-9a-z]{12})/.exec(created.headers.get('location')!)![1]!;
    const asked = await staff.post(`/admin/checks/${id}`, { intent: 'delete' });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('Delete the check “Short-lived” and all its results?');
    expect(site.db.select().from(checks).where(eq(checks.id, id)).get()).toBeDefined();
    const done = await staff.post(`/admin/checks/${id}`, { intent: 'delete', confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/checks?done=checkDeleted');
    expect(site.db.select().from(checks).where(eq(checks.id, id)).get()).toBeUndefined();
  });
});
