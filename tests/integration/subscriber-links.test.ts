import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { subscribers } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { decodeQuotedPrintable, startSmtpSink, type ReceivedMail } from '../support/smtp-sink';
import { postForm } from '../support/staff';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { until } from '../support/until';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' } });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

const linkIn = (mail: ReceivedMail, path: string) =>
  new RegExp(`https?://\\S+?${path.replace('/', '\\/')}\\?token=[\\w.-]+`).exec(decodeQuotedPrintable(mail.raw))![0];
const local = (url: string) => new URL(url).pathname + new URL(url).search;
const statusOf = (email: string) => site.db.select().from(subscribers).where(eq(subscribers.email, email)).get()!.status;

/** Subscribes through the form and confirms from the emailed link, as a reader does. */
async function subscribeAndConfirm(email: string) {
  await postForm(site, '/subscribe', { email, scope: 'all', locale: 'en' });
  const confirm = await until(() => sink.for(email).find((m) => m.subject.includes('Confirm your subscription')));
  expect((await postForm(site, local(linkIn(confirm, '/subscribe/confirm')), {})).status).toBe(200);
}

describe('revocable links', () => {
  it('asking for a new link sends one and expires the old ones, on the page and for one-click, in both languages', async () => {
    const email = 'renew-links@example.com';
    await subscribeAndConfirm(email);
    openIncident(site.db, { name: 'First notice', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const notice = await until(() => sink.for(email).find((m) => m.subject.includes('First notice')));
    const oldManage = local(linkIn(notice, '/subscribe/manage'));
    const oldUnsubscribe = notice.header('List-Unsubscribe')!.slice(1, -1);
    expect((await fetch(site.url + oldManage)).status).toBe(200);

    // Subscribing again with a confirmed address is how a reader asks for a new link.
    expect((await postForm(site, '/subscribe', { email, scope: 'all', locale: 'en' })).status).toBe(303);
    const fresh = await until(() => sink.for(email).find((m) => m.subject.includes('new link to manage')));
    const newManage = local(linkIn(fresh, '/subscribe/manage'));
    expect(newManage).not.toBe(oldManage);

    const expiredPage = await fetch(site.url + oldManage);
    expect(expiredPage.status).toBe(403);
    const html = await expiredPage.text();
    expect(html).toContain('This link has expired');
    expect(html).toContain('href="/subscribe"');
    expect(html).not.toContain(email);
    const expiredJa = await (await fetch(`${site.url}/ja${oldManage}`)).text();
    expect(expiredJa).toContain('このリンクは有効期限が切れています');

    const oneClick = await fetch(oldUnsubscribe, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(403);
    const text = await oneClick.text();
    expect(text).toContain('This link has expired');
    expect(text).toContain('/subscribe');
    expect(text).toContain('このリンクは有効期限が切れています');
    expect(statusOf(email)).toBe('confirmed');

    const current = await fetch(site.url + newManage);
    expect(current.status).toBe(200);
    expect(await current.text()).toContain(email);
  });

  it('unsubscribing with one click, without cookies, expires every link sent so far', async () => {
    const email = 'one-click-leaver@example.com';
    await subscribeAndConfirm(email);
    openIncident(site.db, { name: 'Before leaving', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const notice = await until(() => sink.for(email).find((m) => m.subject.includes('Before leaving')));
    const unsubscribeUrl = notice.header('List-Unsubscribe')!.slice(1, -1);
    const manage = local(linkIn(notice, '/subscribe/manage'));

    // A person opening the link in a browser gets a page naming the address, a button and the way to preferences; opening it changes nothing.
    const bodyLink = linkIn(notice, '/unsubscribe');
    expect(bodyLink).toBe(unsubscribeUrl);
    const page = await fetch(bodyLink);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain(`Stop sending status emails to ${email}?`);
    expect(pageHtml).toMatch(/<button type="submit" name="intent" value="unsubscribe"[^>]*>Unsubscribe<\/button>/);
    expect(pageHtml).toMatch(/<a href="\/subscribe\/manage\?token=[\w.-]+">Change what you receive instead<\/a>/);
    expect(statusOf(email)).toBe('confirmed');

    const done = await fetch(unsubscribeUrl, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(200);
    const body = await done.text();
    expect(body).toContain('You have been unsubscribed');
    expect(body).toContain('購読を解除しました');
    expect(statusOf(email)).toBe('unsubscribed');

    expect((await fetch(site.url + manage)).status).toBe(403);
    expect(await (await fetch(unsubscribeUrl)).text()).toContain('This link has expired');
    const again = await fetch(unsubscribeUrl, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('This link has expired');
  });

  it('unsubscribing on the manage page ends on a page that needs no link', async () => {
    const email = 'page-leaver@example.com';
    await subscribeAndConfirm(email);
    openIncident(site.db, { name: 'Page leaver notice', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const notice = await until(() => sink.for(email).find((m) => m.subject.includes('Page leaver notice')));
    const manage = local(linkIn(notice, '/subscribe/manage'));
    const res = await postForm(site, manage, { intent: 'unsubscribe' });
    expect(res.status).toBe(303);
    const after = await fetch(site.url + res.headers.get('location')!);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('You have been unsubscribed');
    expect(statusOf(email)).toBe('unsubscribed');
    expect((await fetch(site.url + manage)).status).toBe(403);
  });
});

describe('links in Japanese mail', () => {
  it('keep /ja/ from the confirmation through managing to unsubscribing, and every page on the way is in Japanese', async () => {
    const email = 'nihongo-links@example.com';
    const subscribed = await postForm(site, '/ja/subscribe', { email, scope: 'all', locale: 'ja' });
    expect(subscribed.status).toBe(303);
    const confirmMail = await until(() => sink.for(email)[0]);
    const confirm = await simpleParser(confirmMail.raw);
    expect(confirm.subject).toBe(`[${site.config.siteName}] 購読の確認`);
    expect(confirm.text).toContain('購読を確認する');
    const confirmLink = /https?:\/\/\S+?\/subscribe\/confirm\?token=[\w.-]+/.exec(confirm.text ?? '')![0];
    expect(new URL(confirmLink).pathname).toBe('/ja/subscribe/confirm');
    expect(confirm.html).toContain(`href="${confirmLink}"`);

    const confirmed = await postForm(site, local(confirmLink), {});
    expect(confirmed.status).toBe(200);
    const confirmedPage = await confirmed.text();
    expect(confirmedPage).toContain('購読を開始しました');
    expect(confirmedPage).toMatch(/href="\/ja\/subscribe\/manage\?token=[\w.-]+"/);

    openIncident(
      site.db,
      { name: 'Links in Japanese', status: 'investigating', body: 'x', translations: { ja: { name: '日本語のリンク' } }, notify: true },
      { now: Date.now() },
    );
    const notice = await until(() => sink.for(email)[1]);
    const parsedNotice = await simpleParser(notice.raw);
    expect(parsedNotice.subject).toContain('日本語のリンク');
    const manage = linkIn(notice, '/subscribe/manage');
    expect(new URL(manage).pathname).toBe('/ja/subscribe/manage');
    const managePage = await fetch(manage);
    expect(managePage.status).toBe(200);
    expect(await managePage.text()).toContain('購読の設定');
    const saved = await postForm(site, local(manage), { scope: 'all', locale: 'ja' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toMatch(/^\/ja\/subscribe\/manage\?token=[\w.-]+&done=1$/);

    // The unsubscribe link in the body: a page in Japanese naming the address, with the button and the way to preferences.
    const unsubscribe = linkIn(notice, '/unsubscribe');
    expect(new URL(unsubscribe).pathname).toBe('/ja/unsubscribe');
    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain(`${email} への稼働状況のメールを停止しますか?`);
    expect(pageHtml).toMatch(/<a href="\/ja\/subscribe\/manage\?token=[\w.-]+">停止せずに受け取る内容を変更する<\/a>/);
    const action = /<form method="post" action="([^"]+)"/.exec(pageHtml)![1]!.replaceAll('&amp;', '&');
    expect(action).toMatch(/^\/ja\/subscribe\/manage\?token=/);
    const left = await postForm(site, action, { intent: 'unsubscribe' });
    expect(left.status).toBe(303);
    expect(left.headers.get('location')).toBe('/ja/subscribe/manage?done=unsubscribed');
    expect(await (await fetch(site.url + left.headers.get('location')!)).text()).toContain('購読を解除しました');
    expect(statusOf(email)).toBe('unsubscribed');
  });
});
