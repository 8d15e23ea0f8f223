import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, users } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { apiCaller, visibleText as visible } from '../support/api-and-text';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { listRules } from '../../src/lib/alerts/rule';
import { loadComponentTree } from '../../src/lib/components/load-components';

// What a token may do: no more than the `alerts` scope says, and no more than
// the person who created it may do now. Against the real server, tokens made
// through the admin's own form so that they have a creator.
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

const call = apiCaller(() => site);
const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;

type Staff = Awaited<ReturnType<typeof signedInStaff>>;
/** A token created on Admin → API tokens by this person, as the page shows it once. */
async function tokenFromForm(staff: Staff, scopes: string[]): Promise<string> {
  const res = await staff.post('/admin/tokens', { intent: 'create', name: `bot ${Math.random()}`, scopes });
  expect(res.status).toBe(201);
  return /<code class="secret" data-secret>(shr_[^<]+)<\/code>/.exec(await res.text())![1]!;
}
const userId = (email: string) => site.db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
const newIncident = (name: string) => ({ name, body: 'Investigating.', components: [{ component_id: component('API').id, status: 'degraded_performance' }] });

const publishingRule = (name: string) => ({
  name,
  matchers: [`probe="${name}"`],
  components: [{ component_id: component('API').id, status: 'major_outage' }],
  impact: 'critical',
  action: 'publish',
  notify: true,
  texts: { en: { name: 'Written by a token', body: 'Written by a token.' } },
});

describe('the alerts scope sends alerts and nothing else', () => {
  it('a token for Alertmanager cannot create, change or delete a rule, and still sends alerts', async () => {
    const admin = await signedInStaff(site);
    const alerts = await tokenFromForm(admin, ['alerts']);
    const id = listRules(site.db)[0]!.id;
    const rulesBefore = listRules(site.db).length;
    for (const [method, path, body] of [
      ['GET', 'alert-rules', undefined],
      ['POST', 'alert-rules', publishingRule('alerts-only')],
      ['PATCH', `alert-rules/${id}`, { action: 'publish', notify: true }],
      ['DELETE', `alert-rules/${id}`, undefined],
    ] as const) {
      const res = await call(method, path, alerts, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error).toMatchObject({ code: 'FORBIDDEN', key: 'errors.token.scope' });
    }
    expect(listRules(site.db).length).toBe(rulesBefore);
    expect(listRules(site.db)[0]).toMatchObject({ id, action: 'suggest' });
    const sent = await call('POST', 'integrations/webhook', alerts, { id: 'p-1', status: 'firing', title: 'Probe', labels: { probe: 'alerts-only' } });
    expect(sent.status).toBe(200);
    expect((await sent.json()).groups[0]).toMatchObject({ outcome: 'suggested', incident_id: null });
  });

  it('alert_rules is an admin scope, described where tokens are made in both languages, and an editor cannot give it', async () => {
    const admin = await signedInStaff(site);
    const en = visible(await (await admin.get('/admin/tokens')).text());
    expect(en).toContain(
      'alert_rules (admins only): create, change and delete alert rules. A rule can publish incidents and email subscribers with no person approving',
    );
    expect(en).toContain('alerts: send alerts in (Alertmanager, Grafana, webhook) and nothing else');
    const ja = visible(await (await fetch(site.url + '/admin/tokens', { headers: { cookie: admin.cookie, 'accept-language': 'ja' } })).text());
    expect(ja).toContain('alert_rules(管理者のみ)');
    expect(ja).toContain('人の承認なしに障害を公開し、購読者にメールできます');

    const editor = await signedInStaff(site, 'editor');
    expect(() =>
      createApiToken(
        site.db,
        { name: 'editor bot', scopes: ['alerts', 'alert_rules'] },
        { now: Date.now(), actor: { kind: 'user', id: userId(editor.email), label: editor.email } },
      ),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION', fields: [expect.objectContaining({ field: 'scopes', key: 'errors.field.scopeBeyondRole' })] }));
  });

  it('a rule that publishes and notifies on its own says so in the audit log and on the dashboard', async () => {
    const admin = await signedInStaff(site);
    const rules = await tokenFromForm(admin, ['alert_rules']);
    const created = await call('POST', 'alert-rules', rules, publishingRule('automation'));
    expect(created.status).toBe(201);
    const rule = await created.json();
    const quiet = await (await call('POST', 'alert-rules', rules, { name: 'Just suggests', matchers: ['probe="quiet"'] })).json();
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, rule.id)).all();
    expect(audit.map((a) => a.action)).toEqual(['alert_rule.create_notifying']);
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, quiet.id))
        .all()
        .map((a) => a.action),
    ).toEqual(['alert_rule.create']);
    expect(visible(await (await admin.get('/admin/audit?kind=alerts')).text())).toContain(
      'Added an alert rule that publishes and emails subscribers on its own, with no person approving',
    );

    const editor = await signedInStaff(site, 'editor');
    const dashboard = await (await editor.get('/admin')).text();
    const line = /<p class="notice" role="note" data-autonomous-rules>([\s\S]*?)<\/p>/.exec(dashboard)?.[1] ?? '';
    expect(visible(line)).toContain('Alert rules that act on their own, with no person approving:');
    expect(visible(line)).toContain('automation (publishes and emails subscribers)');
    expect(line).toContain(`href="/admin/alerts#rule-${rule.id}"`);
    expect(line).not.toContain('Just suggests');

    // Turned back to suggesting, the edit is worded as an ordinary one and the line names it no more.
    expect((await call('PATCH', `alert-rules/${rule.id}`, rules, { action: 'suggest' })).status).toBe(200);
    expect(
      site.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, rule.id))
        .all()
        .map((a) => a.action),
    ).toEqual(['alert_rule.create_notifying', 'alert_rule.edit']);
    expect(await (await editor.get('/admin')).text()).not.toContain(`#rule-${rule.id}`);
  });
});

describe('a token acts as its creator', () => {
  it('loses the scopes its creator’s new role lacks, and stops once the creator is disabled, which Admin → Staff counts', async () => {
    const owner = await signedInStaff(site);
    const other = await signedInStaff(site);
    const token = await tokenFromForm(owner, ['incidents', 'alert_rules']);
    await tokenFromForm(owner, ['read']);
    expect((await call('GET', 'alert-rules', token)).status).toBe(200);
    expect((await call('POST', 'incidents', token, newIncident('Before demotion'))).status).toBe(201);

    expect((await other.post('/admin/users', { intent: 'role', id: userId(owner.email), role: 'editor' })).status).toBe(303);
    const demoted = await call('GET', 'alert-rules', token);
    expect(demoted.status).toBe(403);
    expect((await demoted.json()).error).toMatchObject({ code: 'FORBIDDEN', key: 'errors.token.creatorRole' });
    // What an editor may do, the token still does.
    expect((await call('POST', 'incidents', token, newIncident('After demotion'))).status).toBe(201);
    expect(visible(await (await other.get('/admin/tokens')).text())).toContain(
      'No longer works for alert_rules: the role of the account that created it lacks them.',
    );

    const disabled = await other.post('/admin/users', { intent: 'disable', id: userId(owner.email), confirmed: 'yes' });
    expect(disabled.status).toBe(303);
    const notice = visible(await (await other.get(disabled.headers.get('location')!)).text());
    expect(notice).toContain('Account disabled: its sessions ended and 2 API token(s) it created stopped working.');
    const refused = await call('POST', 'incidents', token, newIncident('After disabling'));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toMatchObject({ code: 'UNAUTHORIZED', key: 'errors.token.creatorDisabled' });
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect(visible(await (await other.get('/admin/tokens')).text())).toContain('Stopped working: the account that created it is disabled.');
  });
});
