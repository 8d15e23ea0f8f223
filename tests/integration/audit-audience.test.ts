import { loadPageScope } from '../../src/lib/pages/page-scope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { auditLog, subscribers, users } from '../../db/schema';
import { migrateDatabase, openDatabase } from '../../db/open';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { visibleText as visible } from '../support/api-and-text';
import { addWebhook } from '../../src/lib/notifications/add-webhook';
import { requestSubscription } from '../../src/lib/notifications/subscriptions';
import { removeSubscriber } from '../../src/lib/notifications/remove-subscriber';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { auditAudienceOf } from '../../src/lib/audit/audit-audience';

// Audit entries carry who may read them: an editor reads, counts and exports
// only the entries meant for every staff member, never the webhook URLs,
// subscriber addresses and staff sign-in addresses that only admins see.
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

const WEBHOOK_URL = 'https://hooks.example.net/secret-path/abc123?key=s3cr3t';
const SUBSCRIBER = 'private.reader@example.org';

describe('the audit log by audience', () => {
  it('an editor’s list, counts, filter and CSV leave out admins’ entries; an admin’s include them', async () => {
    const admin = await signedInStaff(site);
    const adminId = site.db.select({ id: users.id }).from(users).where(eq(users.email, admin.email)).get()!.id;
    const ctx = { now: Date.now(), actor: { kind: 'user' as const, id: adminId, label: admin.email } };
    addWebhook(site.db, { url: WEBHOOK_URL, description: 'Ops' }, ctx);
    requestSubscription(site.db, { email: SUBSCRIBER, componentIds: null }, loadPageScope(site.db), '127.0.0.9', Date.now());
    removeSubscriber(site.db, site.db.select({ id: subscribers.id }).from(subscribers).where(eq(subscribers.email, SUBSCRIBER)).get()!.id, ctx);
    createApiToken(site.db, { name: 'pager bot', scopes: ['read'] }, ctx);
    const editor = await signedInStaff(site, 'editor');

    const all = site.db.select({ audience: auditLog.audience, action: auditLog.action }).from(auditLog).all();
    const forStaff = all.filter((a) => a.audience === 'staff').length;
    expect(all.some((a) => a.action === 'user.sign_in' && a.audience === 'admins')).toBe(true);
    expect(forStaff).toBeGreaterThan(0);
    expect(forStaff).toBeLessThan(all.length);

    const editorPage = await (await editor.get('/admin/audit')).text();
    const editorText = visible(editorPage);
    for (const secret of [WEBHOOK_URL, 'hooks.example.net', SUBSCRIBER, admin.email, '127.0.0.1', 'pager bot']) expect(editorPage).not.toContain(secret);
    expect(editorText).toMatch(new RegExp(`\\b${forStaff} entries`));
    expect(editorPage).not.toContain('value="sign_ins"');
    expect(visible(await (await editor.get('/admin/audit?kind=sign_ins')).text())).toMatch(/\b0 entries/);

    const editorCsv = await (await editor.get('/admin/audit.csv')).text();
    for (const secret of [WEBHOOK_URL, SUBSCRIBER, admin.email, '127.0.0.1', 'user.sign_in', 'webhook.create']) expect(editorCsv).not.toContain(secret);
    expect(editorCsv.trim().split('\n').length).toBe(forStaff + 1);

    const adminPage = await (await admin.get('/admin/audit')).text();
    expect(visible(adminPage)).toMatch(new RegExp(`\\b${all.length} entries`));
    const adminCsv = await (await admin.get('/admin/audit.csv')).text();
    for (const secret of [WEBHOOK_URL, SUBSCRIBER, 'user.sign_in', 'token.create']) expect(adminCsv).toContain(secret);
  });
});

describe('the migration that gave entries an audience', () => {
  it('classifies the entries written before it by kind, as new entries are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-audience-'));
    try {
      // The migrations as they were before the audience: the journal cut at 0019.
      const before = join(dir, 'before');
      cpSync(resolve('db/migrations'), before, { recursive: true });
      const journalPath = join(before, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
      writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= 19) }));
      const db = openDatabase(join(dir, 'old.db'));
      migrateDatabase(db, before);
      const actions = [
        'user.sign_in',
        'user.disable',
        'token.create',
        'subscriber.remove',
        'webhook.create',
        'chat.create',
        'settings.edit',
        'import.statuspage',
        'check.edit',
        'incident.open',
        'component.set_status',
        'alert_rule.create',
        'alerts.suggest',
        'postmortem.publish',
        'maintenance.schedule',
        'uptime.correct',
      ];
      const insert = db.$client.prepare("insert into audit_log (at, actor_kind, actor_label, action, entity_type) values (1, 'system', 'x', ?, 'thing')");
      for (const action of actions) insert.run(action);
      migrateDatabase(db);
      const rows = db.$client.prepare('select action, audience from audit_log').all() as { action: string; audience: string }[];
      expect(rows.map((r) => [r.action, r.audience])).toEqual(actions.map((a) => [a, auditAudienceOf(a)]));
      expect(rows.filter((r) => r.audience === 'admins').map((r) => r.action)).toEqual(actions.slice(0, 9));
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
