import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { count } from 'drizzle-orm';
import { incidents } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { type TokenScope } from '../../src/lib/auth/api-tokens';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { revokeApiToken } from '../../src/lib/auth/revoke-api-token';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { rawRequest } from '../support/raw-http';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

const token = (scopes: TokenScope[]) => createApiToken(site.db, { name: `bot ${scopes.join('+')} ${Math.random()}`, scopes }, { now: Date.now() });
const call = (method: string, path: string, bearer: string | null, body?: unknown, raw?: string) =>
  fetch(`${site.url}/api/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
const incidentCount = () => site.db.select({ n: count() }).from(incidents).get()!.n;
const api = () => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === 'API')!;

describe('the write API', () => {
  it('opens, updates and resolves an incident with a scoped token', async () => {
    const { token: t } = token(['incidents', 'read']);
    const opened = await call('POST', 'incidents', t, {
      name: 'Webhook delays',
      body: 'Webhooks are late.',
      components: [{ component_id: api().id, status: 'degraded_performance' }],
    });
    expect(opened.status).toBe(201);
    const incident = await opened.json();
    expect(incident).toMatchObject({ name: 'Webhook delays', status: 'investigating', impact: 'minor' });
    expect(incident.shortlink).toBe(`${site.config.siteUrl}/incidents/${incident.id}`);
    // Acknowledged means published: the public pages show it the moment the answer arrives.
    const [page, summary] = await Promise.all([fetch(site.url + '/').then((r) => r.text()), fetch(site.url + '/api/v2/summary.json').then((r) => r.json())]);
    expect(page).toContain('Webhook delays');
    expect(summary.incidents.map((i: { id: string }) => i.id)).toContain(incident.id);

    const updated = await call('POST', `incidents/${incident.id}/updates`, t, {
      status: 'identified',
      body: 'A queue is stuck.',
      display_at: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(updated.status).toBe(201);
    const resolved = await (await call('POST', `incidents/${incident.id}/resolve`, t, { body: 'Queue drained.' })).json();
    expect(resolved.status).toBe('resolved');
    expect(resolved.incident_updates[0].affected_components).toEqual([
      { code: api().id, name: 'API', old_status: 'degraded_performance', new_status: 'operational' },
    ]);
    const read = await call('GET', `incidents/${incident.id}`, t);
    expect((await read.json()).incident_updates).toHaveLength(3);
  });

  it('sets a component status and schedules maintenance with their own scopes', async () => {
    const { token: components } = token(['components']);
    const patched = await call('PATCH', `components/${api().id}`, components, { status: 'partial_outage', note: 'from monitoring' });
    expect(patched.status).toBe(200);
    expect((await patched.json()).status).toBe('partial_outage');
    await call('PATCH', `components/${api().id}`, components, { status: 'operational' });

    const { token: maintenance } = token(['maintenance']);
    const scheduled = await call('POST', 'maintenances', maintenance, {
      name: 'Cert rotation',
      body: 'Brief reconnects.',
      scheduled_for: '2031-05-01T01:00:00Z',
      scheduled_until: '2031-05-01T02:00:00Z',
      component_ids: [api().id],
    });
    expect(scheduled.status).toBe(201);
    expect(await scheduled.json()).toMatchObject({ status: 'scheduled', scheduled_for: '2031-05-01T01:00:00.000Z', impact: 'maintenance' });
  });

  it('takes calls with a token and no Content-Type or Origin (as curl sends them), while staff sessions keep the cross-site form check', async () => {
    const { token: t } = token(['components']);
    // What `curl -X PATCH -H 'Authorization: Bearer …' -d '{…}'` would send, less curl's form type.
    const patched = await rawRequest(site.url, `/api/v1/components/${api().id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t}` },
      body: JSON.stringify({ status: 'degraded_performance' }),
    });
    expect(patched.status, patched.body).toBe(200);
    const restored = await rawRequest(site.url, `/api/v1/components/${api().id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'text/plain', origin: 'https://elsewhere.example' },
      body: JSON.stringify({ status: 'operational' }),
    });
    expect(restored.status, restored.body).toBe(200);
    expect(api().status).toBe('operational');

    const staff = await signedInStaff(site);
    const fromElsewhere = await staff.post('/admin/components', { intent: 'create', name: 'Planted' }, 'https://elsewhere.example');
    expect(fromElsewhere.status).toBe(403);
    const untyped = await rawRequest(site.url, '/admin/logout', { method: 'POST', headers: { cookie: staff.cookie } });
    expect(untyped.status).toBe(403);
    expect((await staff.get('/admin')).status, 'the session is still open').toBe(200);
    const japanese = await rawRequest(site.url, '/ja/admin/logout', { method: 'POST', headers: { cookie: staff.cookie } });
    expect(japanese.body).toContain('別のサイト');
  });

  it('answers 401 without a token or with a revoked one, and 403 without the scope', async () => {
    const before = incidentCount();
    const none = await call('POST', 'incidents', null, { name: 'x', body: 'y' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await none.json()).error.code).toBe('UNAUTHORIZED');

    const { token: readOnly } = token(['read']);
    const forbidden = await call('POST', 'incidents', readOnly, { name: 'x', body: 'y' });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"incidents" scope') });

    const { id, token: revoked } = token(['incidents']);
    revokeApiToken(site.db, id, { now: Date.now() });
    expect((await call('POST', 'incidents', revoked, { name: 'x', body: 'y' })).status).toBe(401);
    expect((await call('POST', 'incidents', 'shr_made_up', { name: 'x', body: 'y' })).status).toBe(401);
    expect(incidentCount()).toBe(before);
  });

  it('answers 400, 404, 409, 413 and 422 with a code and a message, writing nothing', async () => {
    const { token: t } = token(['incidents', 'read']);
    const before = incidentCount();
    const malformed = await call('POST', 'incidents', t, undefined, '{"name": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('BAD_REQUEST');

    const notObject = await call('POST', 'incidents', t, [1, 2]);
    expect(notObject.status).toBe(400);

    const invalid = await call('POST', 'incidents', t, { name: '', body: 'x', components: [{ component_id: 'zzzzzzzzzzzz', status: 'melting' }] });
    expect(invalid.status).toBe(422);
    const body = await invalid.json();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['name', 'components.0.status']));

    expect((await call('POST', 'incidents/zzzzzzzzzzzz/updates', t, { status: 'identified', body: 'x' })).status).toBe(404);
    expect((await call('GET', 'nothing/here', t)).status).toBe(404);

    const huge = await call('POST', 'incidents', t, { name: 'big', body: 'x'.repeat(300_000) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('PAYLOAD_TOO_LARGE');

    const opened = await (await call('POST', 'incidents', t, { name: 'One update only', body: 'x' })).json();
    const staff = await signedInStaff(site);
    const del = await staff.post(`/admin/incidents/${opened.id}`, { intent: 'delete_update', updateId: opened.incident_updates[0].id, confirmed: 'yes' });
    expect(del.status).toBe(409);
    expect(incidentCount()).toBe(before + 1);
  });

  it('describes itself in an OpenAPI document', async () => {
    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/incidents', '/incidents/{id}/updates', '/incidents/{id}/resolve', '/components/{id}', '/maintenances']),
    );
  });

  it('records the token as the actor and when it was last used', async () => {
    const { id, token: t } = token(['incidents']);
    await call('POST', 'incidents', t, { name: 'By a bot', body: 'Automated.' });
    const row = site.db.$client.prepare("select actor_label from audit_log where action = 'incident.open' order by id desc limit 1").get() as {
      actor_label: string;
    };
    expect(row.actor_label).toMatch(/^token bot incidents/);
    const used = site.db.$client.prepare('select last_used_at from api_tokens where id = ?').get(id) as { last_used_at: number | null };
    expect(used.last_used_at).not.toBeNull();
  });
});

/** Every route file under src/pages/api/v1 as "METHOD /path", in OpenAPI's spelling. */
function fileRoutes(): string[] {
  const root = 'src/pages/api/v1';
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  return walk(root)
    .filter((f) => !f.endsWith('openapi.json.ts') && !f.includes('[...'))
    .flatMap((file) => {
      const path = (
        '/' +
        relative(root, file)
          .replace(/\.ts$/, '')
          .replace(/(^|\/)index$/, '')
      ).replace(/\[(\w+)\]/g, '{$1}');
      return [...readFileSync(file, 'utf8').matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => `${m[1]} ${path}`);
    })
    .sort();
}

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  example?: unknown;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  default?: unknown;
};

describe('the OpenAPI document', () => {
  it('lists exactly the routes that exist, each with the scope of its token', async () => {
    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(fileRoutes());
    expect(documented).toContain('PATCH /incidents/{id}/updates/{updateId}');
    expect(doc.paths['/maintenances'].post.security).toEqual([{ bearer: ['maintenance'] }]);
    expect(doc.components.schemas.Error.properties.error.properties.key.type).toBe('string');
  });

  it('describes bodies the routes accept: a request built from the document alone succeeds on every route', async () => {
    const doc = await (await fetch(`${site.url}/api/v1/openapi.json`)).json();
    const resolve = (s: Schema): Schema => (s.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
    let minute = 0;
    const start = Date.now() - 3_600_000;
    // A value for every property the document names, from its type, enum and format alone.
    const example = (schema: Schema): unknown => {
      const s = resolve(schema);
      if (s.enum) return s.enum[0];
      const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
      // Times come in the order the document lists them (a window's start before its end); impact begins before the first update,
      // and a window that has ended (every time here is past) is a record of past work: rules between fields that a schema cannot state.
      // A record of past work cannot repeat (recurring-maintenance.test.ts schedules repeating windows through the API).
      const between: Record<string, unknown> = { started_at: new Date(start).toISOString(), past_record: true, repeat: undefined };
      if (type === 'object')
        return Object.fromEntries(
          Object.entries(s.properties ?? {})
            .filter(([k]) => k !== 'version')
            .map(([k, v]) => [k, k in between ? between[k] : example(v)]),
        );
      if (type === 'array') return [];
      if (type === 'boolean') return s.default ?? false;
      if (type === 'integer' || type === 'number') return 1;
      if (s.format === 'date-time') return new Date(start + ++minute * 60_000).toISOString();
      // A text's own example where the document gives one (a page's short name names a page that exists).
      if (typeof s.example === 'string') return s.example;
      return 'Written from the document';
    };
    const { token: t } = token(['read', 'incidents', 'components', 'maintenance', 'alerts', 'alert_rules']);
    const ids: Record<string, string> = { id: '' };
    const order = [
      'post /incidents',
      'get /incidents/{id}',
      'patch /incidents/{id}',
      'post /incidents/{id}/updates',
      'patch /incidents/{id}/updates/{updateId}',
      'post /incidents/{id}/resolve',
      'patch /components/{id}',
      'post /maintenances',
      'get /alert-rules',
      'post /alert-rules',
      'get /alert-rules/{id}',
      'patch /alert-rules/{id}',
      'delete /alert-rules/{id}',
    ];
    // Alerts arrive in other tools' payloads and drafts come from them: alerts-in.test.ts sends those routes real deliveries.
    // Moving a window needs one that has not started, which a record of past work is not: recurring-maintenance.test.ts moves one.
    // Follow-ups name a postmortem by its slug and a calendar day, which no type states: follow-ups.test.ts sends them.
    // Pages name a slug and host names, which no type states either: pages-admin.test.ts sends them.
    const elsewhere = [
      'DELETE /pages/{slug}',
      'GET /pages',
      'PATCH /pages/{slug}',
      'POST /pages',
      'GET /follow-ups',
      'PATCH /follow-ups/{id}',
      'POST /follow-ups',
      'GET /incidents',
      'POST /incidents/{id}/publish',
      'POST /integrations/alertmanager',
      'POST /integrations/grafana',
      'POST /integrations/webhook',
      'PATCH /maintenances/{id}',
    ];
    // Each route once, in an order where every id is known before it is needed.
    expect([...order.map((o) => o.replace(/^\w+/, (m) => m.toUpperCase())), ...elsewhere].sort()).toEqual(fileRoutes());
    for (const entry of order) {
      const [method, path] = entry.split(' ') as [string, string];
      const op = doc.paths[path][method];
      if (path.startsWith('/components')) ids.id = api().id;
      const url = path.replace(/\{(\w+)\}/g, (_, n: string) => ids[n]!).slice(1);
      const body = op.requestBody ? example(op.requestBody.content['application/json'].schema) : undefined;
      const res = await call(method.toUpperCase(), url, t, body);
      const expected = Number(Object.keys(op.responses).find((s) => s.startsWith('2')));
      expect(res.status, `${entry}: ${JSON.stringify(body)}`).toBe(expected);
      const answer = res.status === 204 ? null : await res.json();
      if (entry === 'post /incidents') {
        ids.id = answer.id;
        ids.updateId = answer.incident_updates[0].id;
      }
      if (entry === 'post /alert-rules') ids.id = answer.id;
    }
  });
});
