import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { Secret, TOTP } from 'otpauth';
import { notificationEvents, outbox, sessions, users } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { startSmtpSink } from '../support/smtp-sink';
import { rawRequest } from '../support/raw-http';
import { postForm } from '../support/staff';
import { until } from '../support/until';
import { createUser } from '../../src/lib/auth/create-user';
import { startTwoFactor } from '../../src/lib/auth/start-two-factor';
import { enableTwoFactor } from '../../src/lib/auth/enable-two-factor';
import { CODE_CEILING, FIRST_CODE_WAIT_MS } from '../../src/lib/auth/second-factor-ceiling';

// Second-factor codes against the real server, guessed from many real
// loopback source addresses (127.0.0.x, each its own client): the account's
// ceiling on wrong codes, the owner's mail, and the sessions around
// two-factor sign-in. The site's clock can be moved forward to wait.
let site: TestSite;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let offset = 0;
const clock = () => Date.now() + offset;
beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: false, now: clock, env: { SMTP_URL: sink.url, DEFAULT_LOCALE: 'ja', SESSION_MAX_DAYS: '2' } });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

const PASSWORD = 'a perfectly fine password';
let counter = 0;
async function personWithTwoFactor() {
  const email = `owner${++counter}-${Date.now()}@example.com`;
  const { userId } = await createUser(site.db, { email, role: 'editor', password: PASSWORD }, { now: clock() });
  startTwoFactor(site.db, userId, { now: clock() });
  const secret = site.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, userId)).get()!.s!;
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  // Set up one step back, so the code the owner types later is a new one.
  enableTwoFactor(site.db, { userId, code: totp.generate({ timestamp: clock() - 30_000 }) }, { now: clock() });
  return { email, userId, totp };
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** One step of the sign-in form, sent from a loopback source address of its own. */
const fromAddress = (address: string, fields: Record<string, string>) =>
  rawRequest(site.url, '/admin/login', {
    method: 'POST',
    body: form(fields),
    localAddress: address,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url, 'accept-language': 'en' },
  });
const challengeIn = (html: string) => /name="challenge" value="([^"]+)"/.exec(html)?.[1];
async function passwordStep(address: string, email: string): Promise<string> {
  const res = await fromAddress(address, { email, password: PASSWORD });
  expect(res.status, res.body.slice(0, 300)).toBe(200);
  return challengeIn(res.body)!;
}
const wrongCode = (totp: TOTP, i: number) => {
  const right = new Set([-1, 0, 1].map((d) => totp.generate({ timestamp: clock() + d * 30_000 })));
  let code = String(100000 + i * 7919).slice(-6);
  while (right.has(code)) code = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  return code;
};
const cookieOf = (res: { headers: Record<string, string | string[] | undefined> }) => [res.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];

describe('the account-wide ceiling on wrong codes', () => {
  it(
    'lets 24 addresses have only 5 guesses checked in all, mails the owner, and lets the owner in with the right code after the doubling wait',
    { timeout: 90_000 },
    async () => {
      const { email, userId, totp } = await personWithTwoFactor();
      const addresses = Array.from({ length: 24 }, (_, i) => `127.0.0.${10 + i}`);
      // Each address gets past the password (the guesser knows it) and tries one code, all at once.
      const challenges = await Promise.all(addresses.map((a) => passwordStep(a, email)));
      const answers = await Promise.all(addresses.map((a, i) => fromAddress(a, { challenge: challenges[i]!, code: wrongCode(totp, i) })));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(CODE_CEILING);
      expect(statuses.filter((s) => s === 429)).toHaveLength(addresses.length - CODE_CEILING);
      const waiting = answers.find((r) => r.status === 429)!;
      expect(Number(waiting.headers['retry-after'])).toBeGreaterThan(0);
      // A request that started before the fifth guess was counted sees a little more.
      expect(Number(waiting.headers['retry-after'])).toBeLessThanOrEqual(FIRST_CODE_WAIT_MS / 1000 + 10);
      expect(waiting.body).toContain('Too many wrong codes for this account');
      // The code form stays, with its challenge, for after the wait.
      expect(challengeIn(waiting.body)).toBeTruthy();

      // The owner is mailed once, in the site's language, and no staff chat hears of it.
      const event = await until(() =>
        site.db
          .select()
          .from(notificationEvents)
          .where(eq(notificationEvents.kind, 'code_guessing'))
          .all()
          .find((e) => e.onceKey?.includes(userId)),
      );
      expect(
        site.db
          .select()
          .from(outbox)
          .where(eq(outbox.eventId, event.id))
          .all()
          .map((r) => [r.channel, r.userId]),
      ).toEqual([['email', userId]]);
      const mail = await until(() => sink.for(email)[0]);
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toContain('あなたのアカウントへの誤ったログインコード');
      expect(parsed.text).toContain(`誤った 2 段階認証コードが ${CODE_CEILING} 回入力されました`);

      // A stranger cannot lock the owner out of the password step; the code step waits for everyone.
      const ownerAddress = '127.0.0.200';
      const ownerChallenge = await passwordStep(ownerAddress, email);
      const tooSoon = await fromAddress(ownerAddress, { challenge: ownerChallenge, code: totp.generate({ timestamp: clock() }) });
      expect(tooSoon.status).toBe(429);
      // Retrying during the wait checks nothing, so it never walls the owner's own address out.
      for (let i = 0; i < 6; i++)
        expect((await fromAddress(ownerAddress, { challenge: ownerChallenge, code: totp.generate({ timestamp: clock() }) })).status).toBe(429);

      // After the wait one more guess is checked, and the next wait is twice as long.
      offset += FIRST_CODE_WAIT_MS + 1_000;
      const sixth = await fromAddress('127.0.0.60', { challenge: await passwordStep('127.0.0.60', email), code: wrongCode(totp, 99) });
      expect(sixth.status).toBe(401);
      const again = await fromAddress(ownerAddress, { challenge: await passwordStep(ownerAddress, email), code: totp.generate({ timestamp: clock() }) });
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(FIRST_CODE_WAIT_MS / 1000);
      expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual((2 * FIRST_CODE_WAIT_MS) / 1000 + 10);
      expect(sink.for(email)).toHaveLength(1);

      offset += 2 * FIRST_CODE_WAIT_MS + 1_000;
      const owner = await fromAddress(ownerAddress, { challenge: await passwordStep(ownerAddress, email), code: totp.generate({ timestamp: clock() }) });
      expect(owner.status).toBe(303);
      const cookie = cookieOf(owner)!;
      expect((await rawRequest(site.url, '/admin', { headers: { cookie } })).status).toBe(200);
      // The right code starts the count again.
      expect(site.db.select({ n: users.codeFailures, wait: users.codeWaitUntil }).from(users).where(eq(users.id, userId)).get()).toEqual({ n: 0, wait: null });
    },
  );
});

describe('sessions and two-factor sign-in', () => {
  it('ends the sessions opened before two-factor sign-in was turned on, except the one turning it on', async () => {
    const email = `switch${Date.now()}@example.com`;
    const { userId } = await createUser(site.db, { email, role: 'editor', password: PASSWORD }, { now: clock() });
    const signIn = async (address: string) => cookieOf(await fromAddress(address, { email, password: PASSWORD }))!;
    const laptop = await signIn('127.0.0.101');
    const stolen = await signIn('127.0.0.102');
    expect((await postForm(site, '/admin/account/two-factor', { intent: 'start' }, { cookie: laptop })).status).toBe(303);
    const secret = site.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, userId)).get()!.s!;
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    const enabled = await postForm(site, '/admin/account/two-factor', { intent: 'enable', code: totp.generate({ timestamp: clock() }) }, { cookie: laptop });
    expect(enabled.status).toBe(200);
    expect(await enabled.text()).toContain('ほかのセッションは終了しました');
    expect((await rawRequest(site.url, '/admin', { headers: { cookie: stolen } })).status).toBe(303);
    expect((await rawRequest(site.url, '/admin', { headers: { cookie: laptop } })).status).toBe(200);
    expect(site.db.select().from(sessions).where(eq(sessions.userId, userId)).all()).toHaveLength(1);
  });

  it('turns two-factor sign-in off only with a current code, never with the password alone', async () => {
    const { email, userId, totp } = await personWithTwoFactor();
    const challenge = await passwordStep('127.0.0.110', email);
    const cookie = cookieOf(await fromAddress('127.0.0.110', { challenge, code: totp.generate({ timestamp: clock() }) }))!;
    const withPassword = await postForm(site, '/admin/account/two-factor', { intent: 'disable', proof: PASSWORD }, { cookie });
    expect(withPassword.status).toBe(422);
    expect(await withPassword.text()).toContain('認証アプリの現在のコードでも、未使用のリカバリーコードでもありません');
    expect(site.db.select({ on: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get()!.on).not.toBeNull();
    const withCode = await postForm(
      site,
      '/admin/account/two-factor',
      { intent: 'disable', proof: totp.generate({ timestamp: clock() + 30_000 }) },
      { cookie },
    );
    expect(withCode.status).toBe(303);
    expect(site.db.select({ on: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get()!.on).toBeNull();
  });

  it('ends a session SESSION_MAX_DAYS after its sign-in, however busy it was', async () => {
    const email = `busy${Date.now()}@example.com`;
    await createUser(site.db, { email, role: 'editor', password: PASSWORD }, { now: clock() });
    const cookie = cookieOf(await fromAddress('127.0.0.120', { email, password: PASSWORD }))!;
    // Used every 11 hours, so the idle limit (12 hours) never ends it.
    for (let hours = 11; hours < 48; hours += 11) {
      offset += 11 * 3_600_000;
      expect((await rawRequest(site.url, '/admin', { headers: { cookie } })).status, `after ${hours} h`).toBe(200);
    }
    offset += 5 * 3_600_000;
    expect((await rawRequest(site.url, '/admin', { headers: { cookie } })).status).toBe(303);
  });
});
