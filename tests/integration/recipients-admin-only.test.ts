import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { subscribers, webhooks } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { postForm, signedInStaff } from '../support/staff';
import { addWebhook } from '../../src/lib/notifications/add-webhook';

let site: TestSite;
const reader = 'private-reader@example.com';
const hookUrl = 'https://hooks.example.net/secret-path-8841';

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  addWebhook(site.db, { url: hookUrl, description: 'chat' }, { now: Date.now() });
  // Without SMTP the confirmation is written to a file, with its signed link in it.
  await postForm(site, '/subscribe', { email: reader, scope: 'all', locale: 'en' });
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline) {
    try {
      if (readdirSync(join(site.dir, 'mail')).some((f) => f.endsWith('.eml'))) break;
    } catch {
      // The folder appears with the first mail.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(() => site?.close());

function expectNoLeak(html: string) {
  expect(html).not.toContain(reader);
  expect(html).not.toContain(hookUrl);
  expect(html).not.toContain('token=');
}

describe('subscribers, webhooks and stored mail as an editor', () => {
  it('answers 403 to every page and leaks no address, URL or link', async () => {
    const editor = await signedInStaff(site, 'editor');
    const file = readdirSync(join(site.dir, 'mail')).find((f) => f.endsWith('.eml'))!;
    for (const path of [
      '/admin/subscribers',
      `/admin/subscribers?q=${encodeURIComponent('private')}`,
      '/admin/mail',
      `/admin/mail?file=${encodeURIComponent(file)}`,
      '/ja/admin/subscribers',
      '/ja/admin/mail',
    ]) {
      const res = await editor.get(path);
      expect(res.status, path).toBe(403);
      const html = await res.text();
      expectNoLeak(html);
      expect(html).toMatch(/Only admins can see and change this page|管理者だけ/);
    }
  });

  it('refuses every change with 403 and changes nothing', async () => {
    const editor = await signedInStaff(site, 'editor');
    const [person] = site.db.select().from(subscribers).all();
    const [hook] = site.db.select().from(webhooks).all();
    const attempts: Record<string, string>[] = [
      { intent: 'add_webhook', url: 'https://attacker.example.com/collect' },
      { intent: 'remove', id: person!.id, confirmed: 'yes' },
      { intent: 'disable_webhook', id: hook!.id, confirmed: 'yes' },
    ];
    for (const fields of attempts) {
      const res = await editor.post('/admin/subscribers', fields);
      expect(res.status, fields.intent).toBe(403);
      expectNoLeak(await res.text());
    }
    expect(site.db.select().from(webhooks).all()).toHaveLength(1);
    expect(site.db.select().from(webhooks).get()!.disabledAt).toBeNull();
    expect(
      site.db
        .select()
        .from(subscribers)
        .all()
        .map((s) => s.email),
    ).toContain(reader);
  });

  it('hides the subscribers and mail entries from an editor’s menu, not from an admin’s', async () => {
    const editor = await signedInStaff(site, 'editor');
    const editorMenu = await (await editor.get('/admin')).text();
    expect(editorMenu).not.toContain('href="/admin/subscribers"');
    expect(editorMenu).not.toContain('href="/admin/mail"');
    const admin = await signedInStaff(site, 'admin');
    const adminMenu = await (await admin.get('/admin')).text();
    expect(adminMenu).toContain('href="/admin/subscribers"');
    expect(adminMenu).toContain('href="/admin/mail"');
    const page = await admin.get('/admin/subscribers');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(reader);
    expect(html).toContain(hookUrl);
  });
});
