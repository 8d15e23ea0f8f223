import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { postForm, signedInStaff } from '../support/staff';
import { loadIncident } from '../../src/lib/incidents/load-incidents';
import { decodeQuotedPrintable } from '../support/smtp-sink';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

describe('without an SMTP server', () => {
  it('writes emails as files and lists them in the admin, refusing paths outside the folder', async () => {
    await postForm(site, '/subscribe', { email: 'laptop@example.com', scope: 'all', locale: 'en' });
    const staff = await signedInStaff(site);
    const deadline = Date.now() + 8_000;
    let list = '';
    while (Date.now() < deadline) {
      list = await (await staff.get('/admin/mail')).text();
      if (list.includes('Confirm your subscription')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(list).toContain('Confirm your subscription');
    expect(list).toContain('laptop@example.com');
    const file = /href="\/admin\/mail\?file=([^"]+)"/.exec(list)![1]!;
    const shown = await (await staff.get(`/admin/mail?file=${file}`)).text();
    // The file is shown as written: quoted-printable, whose soft line breaks may fall inside the link.
    expect(decodeQuotedPrintable(shown)).toContain('/subscribe/confirm?token=');
    expect((await staff.get('/admin/mail?file=..%2F..%2Fshirase.db')).status).toBe(404);
  });
});

describe('the sent mail page', () => {
  it('shows a Japanese subject as Japanese, not as its encoded words, with the sender and the list headers', async () => {
    await postForm(site, '/ja/subscribe', { email: 'tokyo@example.com', scope: 'all', locale: 'ja' });
    const staff = await signedInStaff(site);
    const deadline = Date.now() + 8_000;
    let list = '';
    while (Date.now() < deadline && !list.includes('tokyo@example.com')) {
      list = await (await staff.get('/admin/mail')).text();
      await new Promise((r) => setTimeout(r, 50));
    }
    const item = /<li>\s*<a href="\/admin\/mail\?file=([^"]+)">([^<]+)<\/a>\s*<span class="quiet"> · tokyo@example.com/.exec(list);
    expect(item, list).not.toBeNull();
    const [, file, subject] = item!;
    expect(subject).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(subject).not.toContain('=?');
    const shown = await (await staff.get(`/admin/mail?file=${file}`)).text();
    expect(shown).toContain(`<h2 id="mail-subject">${subject}</h2>`);
    expect(shown).toMatch(/<dt>List-Unsubscribe<\/dt>|<dt>From<\/dt>/);
    // The source stays one click away, exactly as sent.
    expect(shown).toContain('=?UTF-8?');
  });
});

describe('the email preview', () => {
  it('shows staff what subscribers would receive, without posting the update', async () => {
    const staff = await signedInStaff(site);
    const before = loadIncident(site.db, 'jun18renewal')!.updates.length;
    const res = await staff.post('/admin/incidents/jun18renewal', {
      intent: 'post_update',
      status: 'monitoring',
      body: 'A **draft** we are not sure about yet.',
      preview: 'email',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('What subscribers will receive');
    expect(html).toContain('[Fusen Status] Incident: Service unavailable after the renewal release');
    // The plain-text part, as subscribers get it: the Markdown read, not shown.
    const preview = /<pre class="eml">([^<]*)<\/pre>/.exec(html)![1]!;
    expect(preview).toContain('A draft we are not sure about yet.');
    expect(preview).not.toContain('**');
    expect(loadIncident(site.db, 'jun18renewal')!.updates.length).toBe(before);
  });
});
