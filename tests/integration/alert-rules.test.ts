import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { alertRules, auditLog, users } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { apiCaller, visibleText as visible } from '../support/api-and-text';
import type { TokenScope } from '../../src/lib/auth/api-tokens';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { listRules } from '../../src/lib/alerts/rule';
import { loadComponentTree } from '../../src/lib/components/load-components';

// Alert rules against the real server and a fresh database seeded with the
// demo (which brings the rule "API down"): the admin screen's forms, what
// editors may do, the rules API, and who is on call.
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;
const ruleNamed = (name: string) => listRules(site.db).find((r) => r.name === name);
const token = (scopes: TokenScope[]) => createApiToken(site.db, { name: `rules ${scopes.join('+')} ${Math.random()}`, scopes }, { now: Date.now() }).token;
const call = apiCaller(() => site);

describe('the alerts screen', () => {
  it('lists the demo rule with its matchers, components, action and recovery, for editors too, with the nav entry', async () => {
    const editor = await signedInStaff(site, 'editor');
    const res = await editor.get('/admin/alerts');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/admin/alerts"');
    const text = visible(html);
    expect(text).toContain('Rule 1 · API down');
    expect(text).toContain('service="api"');
    expect(text).toContain('API: Major outage');
    expect(text).toContain('Suggests an incident (Investigating, impact Critical)');
    expect(text).toContain('Suggests an update to Resolved');
    // Editors read and try; the form that changes rules is not theirs.
    expect(text).toContain('Only admins change rules.');
    expect(html).not.toContain('name="intent" value="save"');
    expect(html).not.toContain('name="intent" value="delete"');
  });

  it('refuses every change from an editor with 403 and changes nothing', async () => {
    const editor = await signedInStaff(site, 'editor');
    const before = JSON.stringify(listRules(site.db));
    const id = ruleNamed('API down')!.id;
    const attempts: Record<string, string>[] = [
      {
        intent: 'save',
        name: 'Editor rule',
        matchers: 'team="x"',
        incidentStatus: 'investigating',
        impact: 'minor',
        action: 'suggest',
        recovery: 'suggest',
        recoveryStatus: 'resolved',
        enabled: 'on',
      },
      {
        intent: 'save',
        id,
        name: 'Renamed by an editor',
        matchers: '',
        incidentStatus: 'investigating',
        impact: 'minor',
        action: 'publish',
        recovery: 'apply',
        recoveryStatus: 'resolved',
      },
      { intent: 'delete', id, name: 'API down', confirmed: 'yes' },
      { intent: 'down', id },
    ];
    for (const fields of attempts) {
      const res = await editor.post('/admin/alerts', fields);
      expect(res.status, fields.intent).toBe(403);
      expect(await res.text()).toContain('Only admins can do this.');
    }
    expect(JSON.stringify(listRules(site.db))).toBe(before);
  });

  it('creates a rule from the form, audited, and shows it in its place', async () => {
    const admin = await signedInStaff(site);
    const res = await admin.post('/admin/alerts', {
      intent: 'save',
      name: 'Database trouble',
      matchers: 'team="db"\r\n\r\nseverity=~"critical|page"\r\n',
      [`component:${component('Sign-in').id}`]: 'partial_outage',
      [`component:${component('API').id}`]: '',
      incidentStatus: 'identified',
      impact: 'major',
      action: 'publish',
      notify: 'on',
      recovery: 'apply',
      recoveryStatus: 'monitoring',
      enabled: 'on',
      'texts.en.name': 'Database: {{alert_name}}',
      'texts.ja.name': 'データベース:{{alert_name}}',
      'texts.en.body': '',
    });
    expect(res.status).toBe(303);
    const rule = ruleNamed('Database trouble')!;
    expect(res.headers.get('location')).toBe(`/admin/alerts?done=saved#rule-${rule.id}`);
    expect(rule).toMatchObject({
      position: 2,
      matchers: [
        { label: 'team', op: '=', value: 'db' },
        { label: 'severity', op: '=~', value: 'critical|page' },
      ],
      components: [{ componentId: component('Sign-in').id, status: 'partial_outage' }],
      incidentStatus: 'identified',
      impact: 'major',
      action: 'publish',
      notify: true,
      recovery: 'apply',
      recoveryStatus: 'monitoring',
      enabled: true,
      texts: { en: { name: 'Database: {{alert_name}}' }, ja: { name: 'データベース:{{alert_name}}' } },
    });
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, rule.id))
        .all()
        .map((a) => [a.action, a.actorLabel]),
    ).toEqual([['alert_rule.create_notifying', admin.email]]);
    const text = visible(await (await admin.get('/admin/alerts')).text());
    expect(text).toContain('Rule 2 · Database trouble');
    expect(text).toContain('Opens the incident at once (Identified, impact Major). Subscribers are told.');
  });

  it('keeps what was typed when a save is refused, with a labelled summary in the reader’s language', async () => {
    const admin = await signedInStaff(site);
    const count = listRules(site.db).length;
    const fields = {
      intent: 'save',
      name: 'Web down',
      matchers: 'service="web"\nservice\nhost=~"web-(1"',
      [`component:${component('Web app').id}`]: 'major_outage',
      incidentStatus: 'investigating',
      impact: 'critical',
      action: 'suggest',
      recovery: 'suggest',
      recoveryStatus: 'resolved',
      'texts.en.body': 'Web is down on {{hostname}}.',
      'texts.ja.recovery': 'Web は復旧しました。',
    };
    const res = await admin.post('/admin/alerts', fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(listRules(site.db)).toHaveLength(count);
    // What was typed is all still there: the name, the matchers as written, the component's status, the texts, enabled unticked.
    expect(html).toContain('value="Web down"');
    expect(html).toMatch(/<textarea id="rule-matchers"[^>]*>service=(&quot;|&#34;|")web(&quot;|&#34;|")\nservice\nhost=~/);
    expect(html).toMatch(new RegExp(`<option value="major_outage" selected[^>]*>Major outage</option>`));
    expect(html).toContain('Web is down on {{hostname}}.');
    expect(html).toContain('Web は復旧しました。');
    expect(html).not.toMatch(/id="rule-enabled"[^>]*checked/);
    const summary = visible(/<div class="error-summary" role="alert">([\s\S]*?)<\/div>/.exec(html)![1]!);
    expect(summary).toContain('The alert rule was not saved');
    expect(summary).toContain('Matchers: service is not a matcher.');
    expect(summary).toContain(
      'Matchers: host=~"web-(1": the pattern is not one Alertmanager can use (error parsing regexp: missing closing ): `web-(1`). Patterns follow RE2 syntax',
    );
    expect(summary).toContain('First update (English): Unknown variables: {{hostname}}.');
    expect(html).toContain('aria-invalid="true"');

    const ja = await admin.post('/ja/admin/alerts', fields);
    expect(ja.status).toBe(422);
    const jaSummary = visible(/<div class="error-summary" role="alert">([\s\S]*?)<\/div>/.exec(await ja.text())![1]!);
    expect(jaSummary).toContain('マッチャー: service はマッチャーとして読めません。');
    expect(jaSummary).toMatch(/最初の更新.English.: 不明な変数があります.\{\{hostname\}\}/);
  });

  it('edits a rule in the form, and refuses a save from an older version, showing both', async () => {
    const admin = await signedInStaff(site);
    const rule = ruleNamed('Database trouble')!;
    const form = await (await admin.get(`/admin/alerts?edit=${rule.id}`)).text();
    expect(form).toContain('Edit rule “Database trouble”');
    expect(form).toContain(`name="version" value="${rule.version}"`);
    const fields = {
      intent: 'save',
      id: rule.id,
      version: String(rule.version),
      name: 'Database trouble',
      matchers: 'team="db"',
      incidentStatus: 'identified',
      impact: 'major',
      action: 'suggest',
      recovery: 'apply',
      recoveryStatus: 'monitoring',
      enabled: 'on',
    };
    expect((await admin.post('/admin/alerts', fields)).status).toBe(303);
    expect(ruleNamed('Database trouble')).toMatchObject({
      action: 'suggest',
      version: rule.version + 1,
      matchers: [{ label: 'team', op: '=', value: 'db' }],
      components: [],
      notify: false,
      texts: {},
    });
    const stale = await admin.post('/admin/alerts', { ...fields, name: 'Stale save', matchers: 'team="stale"' });
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain('data-conflict');
    expect(html).toContain('value="Stale save"');
    expect(html).toContain(`name="version" value="${rule.version + 1}"`);
    expect(ruleNamed('Stale save')).toBeUndefined();
  });

  it('moves rules up and down, and deletes one only after a yes', async () => {
    const admin = await signedInStaff(site);
    const db = ruleNamed('Database trouble')!;
    expect((await admin.post('/admin/alerts', { intent: 'up', id: db.id })).status).toBe(303);
    expect(listRules(site.db).map((r) => [r.name, r.position])).toEqual([
      ['Database trouble', 1],
      ['API down', 2],
    ]);
    expect((await admin.post('/admin/alerts', { intent: 'down', id: db.id })).status).toBe(303);
    expect(listRules(site.db).map((r) => r.name)).toEqual(['API down', 'Database trouble']);

    const asked = await admin.post('/admin/alerts', { intent: 'delete', id: db.id, name: db.name });
    expect(asked.status).toBe(200);
    expect(visible(await asked.text())).toContain('Delete the rule “Database trouble”?');
    expect(ruleNamed('Database trouble')).toBeDefined();
    const done = await admin.post('/admin/alerts', { intent: 'delete', id: db.id, name: db.name, confirmed: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/alerts?done=ruleDeleted');
    expect(listRules(site.db).map((r) => [r.name, r.position])).toEqual([['API down', 1]]);
  });

  it('tries pasted labels against the rules, for an editor too, and names unreadable lines', async () => {
    const editor = await signedInStaff(site, 'editor');
    const hit = await editor.post('/admin/alerts', { intent: 'try', tryLabels: 'alertname=APIDown\nservice="api"\nseverity=critical' });
    expect(hit.status).toBe(200);
    const hitHtml = await hit.text();
    expect(visible(hitHtml)).toContain('Rule 1, “API down”, would take this alert.');
    expect(hitHtml).toMatch(/>alertname=APIDown\nservice=(&quot;|&#34;)api(&quot;|&#34;)\nseverity=critical<\/textarea>/);
    const miss = await editor.post('/ja/admin/alerts', { intent: 'try', tryLabels: 'service=web' });
    expect(visible(await miss.text())).toContain('一致する有効なルールはありません。');
    const bad = await editor.post('/admin/alerts', { intent: 'try', tryLabels: 'service=api\nnot a label' });
    expect(bad.status).toBe(422);
    expect(visible(await bad.text())).toContain('Labels: “not a label” is not a label: write one key=value a line.');
  });

  it('lists recent alert groups with their rule, state, times with the zone, and a link to the suggested draft', async () => {
    const admin = await signedInStaff(site);
    const alerts = token(['alerts']);
    const started = new Date(Date.now() - 300_000).toISOString();
    const sent = await call('POST', 'integrations/webhook', alerts, {
      id: 'api-5xx',
      status: 'firing',
      title: 'APIErrors',
      summary: 'Half of requests fail',
      labels: { service: 'api' },
      started_at: started,
    });
    expect(sent.status).toBe(200);
    const group = (await sent.json()).groups[0];
    expect(group.rule).toMatchObject({ name: 'API down' });
    await call('POST', 'integrations/webhook', alerts, { id: 'disk-db9', status: 'firing', title: 'DiskFull', labels: { host: 'db-9' }, started_at: started });
    const html = await (await admin.get('/admin/alerts')).text();
    const table = /<table class="alert-groups">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const rows = table.split('<tr').slice(2).map(visible);
    expect(rows.find((r) => r.includes('APIErrors'))).toMatch(/APIErrors Webhook API down Firing .*GMT\+9/);
    expect(rows.find((r) => r.includes('DiskFull'))).toContain('No rule');
    expect(table).toContain(`href="/admin/incidents/new?draft=${group.draft_id}"`);

    // Published, the group links to its incident; resolved, to the recovery suggested on it.
    const published = await call('POST', `incidents/${group.draft_id}/publish`, token(['incidents']), {});
    expect(published.status).toBe(201);
    const incidentId = (await published.json()).id;
    const resolved = await call('POST', 'integrations/webhook', alerts, {
      id: 'api-5xx',
      status: 'resolved',
      title: 'APIErrors',
      labels: { service: 'api' },
      started_at: started,
      resolved_at: new Date().toISOString(),
    });
    expect((await resolved.json()).groups[0]).toMatchObject({ outcome: 'recovery_suggested' });
    const after = /<table class="alert-groups">([\s\S]*?)<\/table>/.exec(await (await admin.get('/admin/alerts')).text())![1]!;
    const row = after.split('<tr').find((r) => r.includes('APIErrors'))!;
    expect(visible(row)).toMatch(/APIErrors Webhook API down Resolved .*GMT\+9 .*GMT\+9 Incident Suggested recovery/);
    expect(row).toContain(`href="/admin/incidents/${incidentId}"`);
    expect(row).toContain(`href="/admin/incidents/${incidentId}#suggested"`);
    expect(row).not.toContain('?draft=');
  });
});

describe('the rules API', () => {
  it('answers 401 without a valid token and 403 without the alert_rules scope (alerts is not enough), for every method', async () => {
    const id = ruleNamed('API down')!.id;
    const readOnly = token(['read', 'incidents', 'alerts']);
    for (const [method, path] of [
      ['GET', 'alert-rules'],
      ['POST', 'alert-rules'],
      ['GET', `alert-rules/${id}`],
      ['PATCH', `alert-rules/${id}`],
      ['DELETE', `alert-rules/${id}`],
    ] as const) {
      const none = await call(method, path, null, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await call(method, path, 'shr_unknown', undefined)).status).toBe(401);
      const forbidden = await call(method, path, readOnly, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect((await forbidden.json()).error).toMatchObject({ code: 'FORBIDDEN', key: 'errors.token.scope' });
    }
    expect(ruleNamed('API down')).toBeDefined();
  });

  it('creates, reads, lists, edits and deletes a rule in snake_case with matchers as strings', async () => {
    const t = token(['alert_rules']);
    const created = await call('POST', 'alert-rules', t, {
      name: 'Queue backlog',
      matchers: ['queue="jobs"', 'severity!="info"'],
      components: [{ component_id: component('Notifications').id, status: 'degraded_performance' }],
      impact: 'minor',
      notify: true,
      recovery_status: 'monitoring',
      texts: { en: { body: 'Jobs are late: {{alert_summary}}' }, ja: { body: 'ジョブが遅れています:{{alert_summary}}' } },
    });
    expect(created.status).toBe(201);
    const rule = await created.json();
    expect(rule).toMatchObject({
      name: 'Queue backlog',
      position: 2,
      enabled: true,
      matchers: ['queue="jobs"', 'severity!="info"'],
      components: [{ component_id: component('Notifications').id, status: 'degraded_performance' }],
      incident_status: 'investigating',
      impact: 'minor',
      action: 'suggest',
      notify: true,
      recovery: 'suggest',
      recovery_status: 'monitoring',
      texts: { en: { body: 'Jobs are late: {{alert_summary}}' }, ja: { body: 'ジョブが遅れています:{{alert_summary}}' } },
      version: 1,
    });
    expect(rule.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await (await call('GET', `alert-rules/${rule.id}`, t)).json()).toEqual(rule);
    const list = await (await call('GET', 'alert-rules', t)).json();
    expect(list.map((r: { name: string }) => r.name)).toEqual(['API down', 'Queue backlog']);

    const patched = await call('PATCH', `alert-rules/${rule.id}`, t, { enabled: false, matchers: ['queue=~"jobs|mail"'], version: 1 });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: 'Queue backlog', enabled: false, matchers: ['queue=~"jobs|mail"'], notify: true, version: 2 });
    // If-Match stands in for version.
    expect((await call('PATCH', `alert-rules/${rule.id}`, t, { name: 'Queue backlog (jobs, mail)' }, { 'if-match': 'W/"2"' })).status).toBe(200);

    const deleted = await call('DELETE', `alert-rules/${rule.id}`, t);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await call('GET', `alert-rules/${rule.id}`, t)).status).toBe(404);
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, rule.id))
        .all()
        .map((a) => a.action),
    ).toEqual(['alert_rule.create', 'alert_rule.edit', 'alert_rule.edit', 'alert_rule.delete']);
  });

  it('answers 400 for malformed JSON, 422 naming each bad field, 404 for an unknown rule and 409 for a stale version', async () => {
    const t = token(['alert_rules']);
    const malformed = await call('POST', 'alert-rules', t, '{"name": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('BAD_REQUEST');
    expect((await call('POST', 'alert-rules', t, '[1, 2]')).status).toBe(400);

    const invalid = await call(
      'POST',
      'alert-rules',
      t,
      {
        matchers: ['service="api"', 'service ~ api'],
        components: [{ component_id: 'zzzzzzzzzzzz', status: 'operational' }],
        action: 'open',
        texts: { en: { body: '{{nope}}' } },
      },
      { 'accept-language': 'ja' },
    );
    expect(invalid.status).toBe(422);
    const error = (await invalid.json()).error;
    expect(error.code).toBe('VALIDATION');
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['action', 'components.0.status', 'matchers.1', 'name', 'texts.en.body']);
    expect(error.fields.find((f: { field: string }) => f.field === 'matchers.1').message).toContain('service ~ api はマッチャーとして読めません');
    const unknownComponent = await call('POST', 'alert-rules', t, { name: 'x', components: [{ component_id: 'zzzzzzzzzzzz', status: 'major_outage' }] });
    expect(unknownComponent.status).toBe(422);
    expect((await unknownComponent.json()).error.fields).toEqual([{ field: 'components.0', message: 'Pick a component from the list.' }]);

    expect((await call('GET', 'alert-rules/zzzzzzzzzzzz', t)).status).toBe(404);
    expect((await call('PATCH', 'alert-rules/zzzzzzzzzzzz', t, { name: 'x' })).status).toBe(404);
    const missing = await call('DELETE', 'alert-rules/not-an-id', t);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.key).toBe('errors.notFound.alertRule');

    const rule = ruleNamed('API down')!;
    const stale = await call('PATCH', `alert-rules/${rule.id}`, t, { name: 'Overwritten', version: rule.version + 5 });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({
      code: 'CONFLICT',
      current_version: rule.version,
      current: { name: 'API down', matchers: 'service="api"' },
    });
    expect((await call('DELETE', `alert-rules/${rule.id}`, t, undefined, { 'if-match': String(rule.version + 5) })).status).toBe(409);
    expect(ruleNamed('API down')).toBeDefined();
  });

  it('is described in the OpenAPI document with examples', async () => {
    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths['/alert-rules']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/alert-rules/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/alert-rules/{id}'].delete.security).toEqual([{ bearer: ['alert_rules'] }]);
    expect(doc.paths['/alert-rules/{id}'].delete.responses['204']).toBeDefined();
    expect(doc.components.schemas.NewAlertRule.example.matchers).toEqual(['service="api"', 'severity=~"critical|page"']);
    expect(doc.components.schemas.NewAlertRule.required).toContain('name');
    expect(doc.components.schemas.AlertRule.example).toMatchObject({ name: 'API down', position: 1 });
  });
});

describe('staff on call', () => {
  it('lets an admin put an account on call from the staff page, audited, and refuses an editor', async () => {
    const admin = await signedInStaff(site);
    const editor = await signedInStaff(site, 'editor');
    const person = site.db.select().from(users).where(eq(users.email, editor.email)).get()!;
    const page = await (await admin.get('/admin/users')).text();
    expect(page).toContain(`id="oncall-${person.id}"`);
    expect((await admin.post('/admin/users', { intent: 'on_call', id: person.id, onCall: 'on' })).status).toBe(303);
    expect(site.db.select().from(users).where(eq(users.id, person.id)).get()!.onCall).toBe(true);
    expect(await (await admin.get('/admin/users')).text()).toMatch(new RegExp(`id="oncall-${person.id}" name="onCall" checked`));
    expect((await editor.post('/admin/users', { intent: 'on_call', id: person.id })).status).toBe(403);
    expect(site.db.select().from(users).where(eq(users.id, person.id)).get()!.onCall).toBe(true);
    expect((await admin.post('/admin/users', { intent: 'on_call', id: person.id })).status).toBe(303);
    expect(site.db.select().from(users).where(eq(users.id, person.id)).get()!.onCall).toBe(false);
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, person.id))
        .all()
        .filter((a) => a.action === 'user.set_on_call')
        .map((a) => a.after),
    ).toEqual(['{"onCall":true}', '{"onCall":false}']);
  });
});

// The demo's rule is the one way a fresh site shows how alerts become incidents.
it('the demo seeds one rule, in English and Japanese', () => {
  const fresh = site.db.select().from(alertRules).where(eq(alertRules.name, 'API down')).get();
  expect(fresh).toBeDefined();
});
