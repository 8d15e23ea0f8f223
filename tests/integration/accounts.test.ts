import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { auditLog, recoveryCodes, sessions, signInChallenges, users } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { postForm, signedInStaff } from '../support/staff';
import { createUser } from '../../src/lib/auth/create-user';
import { hashToken } from '../../src/lib/auth/sessions';
import { MAX_FAILURES_PER_PAIR } from '../../src/lib/auth/sign-in-throttle';

// A proxy in front is trusted, so each request can say which address it comes from.
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: false, env: { TRUST_PROXY: '1' } });
});
afterAll(() => site?.close());

let counter = 0;
const PASSWORD = 'a perfectly fine password';
async function person(role: 'admin' | 'editor' = 'editor') {
  const email = `person${++counter}-${Date.now()}@example.com`;
  const { userId } = await createUser(site.db, { email, role, password: PASSWORD }, { now: Date.now() });
  return { email, userId };
}
const signInFrom = (address: string, email: string, password: string, target = site) => postForm(target, '/admin/login', { email, password }, { address });
const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';')[0];
const getWith = (cookie: string | undefined, path: string, target = site) =>
  fetch(target.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
const auditActions = (userId: string) => site.db.select().from(auditLog).where(eq(auditLog.entityId, userId)).all();
const challengeIn = (html: string) => /name="challenge" value="([^"]+)"/.exec(html)?.[1];

function totpFor(userId: string) {
  const secret = site.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, userId)).get()!.s!;
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

describe('failed sign-ins', () => {
  it('refuse the guessing address but never lock the owner out from another', async () => {
    const { email } = await person();
    const guesser = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES_PER_PAIR + 3; i++) statuses.push((await signInFrom(guesser, email, `wrong guess ${i}`)).status);
    expect(statuses).toEqual([...Array(MAX_FAILURES_PER_PAIR).fill(401), 429, 429, 429]);

    const owner = await signInFrom('203.0.113.20', email, PASSWORD);
    expect(owner.status).toBe(303);
    expect((await getWith(cookieOf(owner), '/admin')).status).toBe(200);

    const refused = await signInFrom(guesser, email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('count guesses sent all at once, so waiting out the delay together does not get more of them checked', async () => {
    const { email } = await person();
    // A few failures from elsewhere first, so every guess below waits before its password is checked.
    for (let i = 0; i < 4; i++) await signInFrom(`198.51.100.${100 + i}`, email, 'wrong');
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => signInFrom('198.51.100.9', email, `guess ${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES_PER_PAIR);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - MAX_FAILURES_PER_PAIR);
    expect((await signInFrom('203.0.113.21', email, PASSWORD)).status).toBe(303);
  });

  it('can be forgotten by an admin under Staff, after which the refused address gets in', async () => {
    const { email, userId } = await person();
    const address = '198.51.100.8';
    for (let i = 0; i < MAX_FAILURES_PER_PAIR; i++) await signInFrom(address, email, 'wrong');
    expect((await signInFrom(address, email, PASSWORD)).status).toBe(429);

    const admin = await signedInStaff(site, 'admin');
    expect(await (await admin.get('/admin/users')).text()).toContain('Unlock');
    const unlocked = await admin.post('/admin/users', { intent: 'unlock', id: userId });
    expect(unlocked.status).toBe(303);
    expect(unlocked.headers.get('location')).toBe('/admin/users?done=unlocked');
    expect((await signInFrom(address, email, PASSWORD)).status).toBe(303);
    expect(auditActions(userId).map((a) => a.action)).toContain('user.unlock');
  });
});

describe('passwords and sessions', () => {
  it('lets staff change their own password with the current one, ending their other sessions', async () => {
    const { email, userId } = await person();
    const here = cookieOf(await signInFrom('192.0.2.1', email, PASSWORD));
    const elsewhere = cookieOf(await signInFrom('192.0.2.2', email, PASSWORD));
    const page = await (await getWith(here, '/admin/account')).text();
    expect(page).toContain('at least 12 characters');
    expect(await (await getWith(here, '/ja/admin/account')).text()).toContain('パスワードは 12 文字以上にしてください。');
    expect(await (await getWith(here, '/admin')).text()).toContain('href="/admin/account"');

    const wrong = await postForm(site, '/admin/account', { currentPassword: 'not it', newPassword: 'short' }, { cookie: here });
    expect(wrong.status).toBe(422);
    const html = await wrong.text();
    expect(html).toContain('That is not your current password.');
    expect(html).toContain('Use at least 12 characters.');

    const changed = await postForm(site, '/admin/account', { currentPassword: PASSWORD, newPassword: 'an even better password' }, { cookie: here });
    expect(changed.status).toBe(303);
    expect((await getWith(here, '/admin')).status).toBe(200);
    expect((await getWith(elsewhere, '/admin')).status).toBe(303);
    expect((await signInFrom('192.0.2.3', email, PASSWORD)).status).toBe(401);
    expect((await signInFrom('192.0.2.3', email, 'an even better password')).status).toBe(303);
    const audit = auditActions(userId).filter((a) => a.action === 'user.change_password');
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('better password');
  });

  it('lets an admin reset another person’s password: shown once, their sessions end at once', async () => {
    const { email, userId } = await person();
    const theirs = cookieOf(await signInFrom('192.0.2.4', email, PASSWORD));
    expect((await getWith(theirs, '/admin')).status).toBe(200);
    const admin = await signedInStaff(site, 'admin');
    const reset = await admin.post('/admin/users', { intent: 'reset', id: userId, confirmed: 'yes' });
    expect(reset.status).toBe(200);
    const html = await reset.text();
    const password = /<code class="secret" data-secret>([^<]+)<\/code>/.exec(html)![1]!;
    expect(html).toContain(`New password for ${email}`);
    expect((await getWith(theirs, '/admin')).status).toBe(303);
    expect((await signInFrom('192.0.2.4', email, password)).status).toBe(303);
    const audit = auditActions(userId).filter((a) => a.action === 'user.reset_password');
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(password);
    // The page does not show it again.
    expect(await (await admin.get('/admin/users')).text()).not.toContain(password);
  });

  it('ends a disabled person’s sessions at once', async () => {
    const { email, userId } = await person();
    const theirs = cookieOf(await signInFrom('192.0.2.5', email, PASSWORD));
    const admin = await signedInStaff(site, 'admin');
    expect((await admin.post('/admin/users', { intent: 'disable', id: userId, confirmed: 'yes' })).status).toBe(303);
    expect((await getWith(theirs, '/admin')).status).toBe(303);
    expect(site.db.select().from(sessions).where(eq(sessions.userId, userId)).all()).toHaveLength(0);
  });

  it('purges expired sessions when someone signs in', async () => {
    const { email, userId } = await person();
    site.db.insert(sessions).values({ tokenHash: 'expired-one', userId, createdAt: 1, expiresAt: 2, lastSeenAt: 1 }).run();
    site.db.insert(signInChallenges).values({ tokenHash: 'stale-one', userId, createdAt: 1, expiresAt: 2 }).run();
    expect((await signInFrom('192.0.2.6', email, PASSWORD)).status).toBe(303);
    expect(site.db.select().from(sessions).where(eq(sessions.tokenHash, 'expired-one')).all()).toHaveLength(0);
    expect(site.db.select().from(signInChallenges).where(eq(signInChallenges.tokenHash, 'stale-one')).all()).toHaveLength(0);
  });
});

describe('two-factor sign-in', () => {
  async function enrol(address: string) {
    const { email, userId } = await person();
    const cookie = cookieOf(await signInFrom(address, email, PASSWORD))!;
    expect((await postForm(site, '/admin/account/two-factor', { intent: 'start' }, { cookie })).status).toBe(303);
    const totp = totpFor(userId);
    const wrong = await postForm(site, '/admin/account/two-factor', { intent: 'enable', code: '000000' === totp.generate() ? '111111' : '000000' }, { cookie });
    expect(wrong.status).toBe(422);
    const enabled = await postForm(site, '/admin/account/two-factor', { intent: 'enable', code: totp.generate() }, { cookie });
    expect(enabled.status).toBe(200);
    const codes = [...(await enabled.text()).matchAll(/<li><code class="secret">([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    return { email, userId, totp, codes, cookie };
  }

  it('is set up from a QR code, the otpauth address or the secret, confirmed with a code', async () => {
    const { email, userId } = await person();
    const cookie = cookieOf(await signInFrom('192.0.2.10', email, PASSWORD));
    const before = await (await getWith(cookie, '/admin/account/two-factor')).text();
    expect(before).toContain('Two-factor sign-in is off');
    await postForm(site, '/admin/account/two-factor', { intent: 'start' }, { cookie });
    const res = await getWith(cookie, '/admin/account/two-factor');
    const html = await res.text();
    const secret = site.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, userId)).get()!.s!;
    expect(html).toMatch(/<figure class="qr" role="img" aria-label="[^"]+"><svg[^>]*>[\s\S]*<\/svg>\s*<\/figure>/);
    expect(html).toContain(secret);
    expect(html).toContain(`otpauth://totp/`);
    expect(res.headers.get('content-security-policy')).not.toContain("'unsafe-inline'");
    const wrong = await postForm(site, '/admin/account/two-factor', { intent: 'enable', code: '12345' }, { cookie });
    expect(wrong.status).toBe(422);
    const again = await wrong.text();
    expect(again).toContain('value="12345"');
    expect(again).toContain('That code does not match');
    expect(site.db.select({ on: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get()!.on).toBeNull();
  });

  it('asks for a code after the password, accepts each code once, and takes recovery codes once', async () => {
    const { email, userId, totp, codes } = await enrol('192.0.2.11');
    const stored = site.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).all();
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(stored)).not.toContain(code);

    const first = await signInFrom('192.0.2.11', email, PASSWORD);
    expect(first.status).toBe(200);
    expect(cookieOf(first)).toBeUndefined();
    expect(first.headers.get('cache-control')).toContain('no-store');
    const challenge = challengeIn(await first.text())!;
    expect(challenge).toBeTruthy();
    expect(
      site.db
        .select()
        .from(signInChallenges)
        .where(eq(signInChallenges.tokenHash, hashToken(challenge)))
        .get()!.expiresAt,
    ).toBeGreaterThan(Date.now());

    const wrong = await postForm(site, '/admin/login', { challenge, code: '999999' === totp.generate() ? '888888' : '999999' }, { address: '192.0.2.11' });
    expect(wrong.status).toBe(401);
    const wrongPage = await wrong.text();
    expect(challengeIn(wrongPage)).toBe(challenge);
    // Said once in the summary at the top and once at the field, not a third time in the summary's list.
    expect(wrongPage.split('That code was not accepted').length - 1).toBe(2);

    // The code for the next period: a phone clock a little ahead is fine.
    const code = totp.generate({ timestamp: Date.now() + 30_000 });
    const done = await postForm(site, '/admin/login', { challenge, code }, { address: '192.0.2.11' });
    expect(done.status).toBe(303);
    expect((await getWith(cookieOf(done), '/admin')).status).toBe(200);

    // The same code, or an older one, on a new challenge: refused.
    const second = challengeIn(await (await signInFrom('192.0.2.11', email, PASSWORD)).text())!;
    expect((await postForm(site, '/admin/login', { challenge: second, code }, { address: '192.0.2.11' })).status).toBe(401);
    expect((await postForm(site, '/admin/login', { challenge: second, code: totp.generate() }, { address: '192.0.2.11' })).status).toBe(401);
    // A challenge is used once.
    expect((await postForm(site, '/admin/login', { challenge, code: codes[0]! }, { address: '192.0.2.11' })).status).toBe(401);

    const recovered = await postForm(site, '/admin/login', { challenge: second, code: codes[0]!.toUpperCase() }, { address: '192.0.2.12' });
    expect(recovered.status).toBe(303);
    const third = challengeIn(await (await signInFrom('192.0.2.12', email, PASSWORD)).text())!;
    expect((await postForm(site, '/admin/login', { challenge: third, code: codes[0]! }, { address: '192.0.2.12' })).status).toBe(401);
    expect(
      site.db
        .select()
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
        .all(),
    ).toHaveLength(9);
    const signedIn = cookieOf(recovered);
    expect(await (await getWith(signedIn, '/admin/account/two-factor')).text()).toContain('9 of 10 recovery codes are left');

    const methods = auditActions(userId)
      .filter((a) => a.action === 'user.sign_in')
      .map((a) => JSON.parse(a.after!).method);
    expect(methods).toEqual(['password', 'totp', 'recovery_code']);
    expect(auditActions(userId).map((a) => a.action)).toContain('user.two_factor_enable');
  });

  it('throttles wrong codes like wrong passwords: the guessing address is refused, the owner elsewhere still passes the password', async () => {
    const { email, codes } = await enrol('192.0.2.20');
    const guesser = '198.51.100.30';
    const challenge = challengeIn(await (await signInFrom(guesser, email, PASSWORD)).text())!;
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES_PER_PAIR + 1; i++)
      statuses.push((await postForm(site, '/admin/login', { challenge, code: String(100000 + i) }, { address: guesser })).status);
    expect(statuses).toEqual([...Array(MAX_FAILURES_PER_PAIR).fill(401), 429]);
    // Five wrong codes also reach the account's ceiling: the code step waits for
    // everyone (second-factor.test.ts waits it out), the password step does not.
    const owner = await signInFrom('203.0.113.30', email, PASSWORD);
    expect(owner.status).toBe(200);
    const waiting = await postForm(site, '/admin/login', { challenge: challengeIn(await owner.text())!, code: codes[1]! }, { address: '203.0.113.30' });
    expect(waiting.status).toBe(429);
    expect(await waiting.text()).toContain('Too many wrong codes for this account');
  });

  it('gives new recovery codes for the password or a current code, and the old ones stop working', async () => {
    const { email, userId, codes, cookie, totp } = await enrol('192.0.2.45');
    const wrong = await postForm(site, '/admin/account/two-factor', { intent: 'renew', renewProof: 'not my password' }, { cookie, address: '192.0.2.45' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('neither your password nor a current code');
    const renewed = await postForm(
      site,
      '/admin/account/two-factor',
      { intent: 'renew', renewProof: totp.generate({ timestamp: Date.now() + 30_000 }) },
      { cookie, address: '192.0.2.45' },
    );
    expect(renewed.status).toBe(200);
    const html = await renewed.text();
    expect(html).toContain('New recovery codes');
    const fresh = [...html.matchAll(/<li><code class="secret">([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);
    const challenge = challengeIn(await (await signInFrom('192.0.2.45', email, PASSWORD)).text())!;
    expect((await postForm(site, '/admin/login', { challenge, code: codes[0]! }, { address: '192.0.2.45' })).status).toBe(401);
    expect((await postForm(site, '/admin/login', { challenge, code: fresh[0]! }, { address: '192.0.2.45' })).status).toBe(303);
    expect(auditActions(userId).map((a) => a.action)).toContain('user.recovery_codes_renew');
  });

  it('is turned off with a current code, never with the password or a wrong code', async () => {
    const { userId, cookie, totp } = await enrol('192.0.2.40');
    const wrong = await postForm(site, '/admin/account/two-factor', { intent: 'disable', proof: PASSWORD }, { cookie, address: '192.0.2.40' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('not a current code from your authenticator app');
    const off = await postForm(
      site,
      '/admin/account/two-factor',
      { intent: 'disable', proof: totp.generate({ timestamp: Date.now() + 30_000 }) },
      { cookie, address: '192.0.2.40' },
    );
    expect(off.status).toBe(303);
    const row = site.db.select().from(users).where(eq(users.id, userId)).get()!;
    expect(row.totpSecret).toBeNull();
    expect(row.totpEnabledAt).toBeNull();
    expect(site.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).all()).toHaveLength(0);
    expect(auditActions(userId).map((a) => a.action)).toContain('user.two_factor_disable');
  });

  it('can be cleared by an admin’s reset, for a lost phone', async () => {
    const { email, userId } = await enrol('192.0.2.50');
    const admin = await signedInStaff(site, 'admin');
    const page = await (await admin.get('/admin/users')).text();
    expect(page).toContain('Also turn off two-factor sign-in');
    const reset = await admin.post('/admin/users', { intent: 'reset', id: userId, clearTwoFactor: 'on', confirmed: 'yes' });
    const password = /<code class="secret" data-secret>([^<]+)<\/code>/.exec(await reset.text())![1]!;
    expect((await signInFrom('192.0.2.50', email, password)).status).toBe(303);
    expect(JSON.parse(auditActions(userId).find((a) => a.action === 'user.reset_password')!.after!).twoFactorCleared).toBe(true);
  });
});

describe('STAFF_2FA=required', () => {
  let strict: TestSite;
  beforeAll(async () => {
    strict = await startTestSite({ seed: false, env: { STAFF_2FA: 'required' } });
  });
  afterAll(() => strict?.close());

  it('sends an admin without two-factor sign-in to set it up, and lets them reach nothing else until done', async () => {
    const email = `strict-${Date.now()}@example.com`;
    const { userId } = await createUser(strict.db, { email, role: 'admin', password: PASSWORD }, { now: Date.now() });
    const cookie = cookieOf(await postForm(strict, '/admin/login', { email, password: PASSWORD }))!;
    for (const path of ['/admin', '/admin/users', '/admin/account']) {
      const res = await getWith(cookie, path, strict);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/admin/account/two-factor');
    }
    expect((await postForm(strict, '/admin/users', { intent: 'create', email: 'x@example.com', role: 'admin' }, { cookie })).status).toBe(403);
    const setup = await getWith(cookie, '/admin/account/two-factor', strict);
    expect(setup.status).toBe(200);
    expect(await setup.text()).toContain('Admins on this site must sign in with two factors');

    await postForm(strict, '/admin/account/two-factor', { intent: 'start' }, { cookie });
    const secret = strict.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, userId)).get()!.s!;
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    expect((await postForm(strict, '/admin/account/two-factor', { intent: 'enable', code: totp.generate() }, { cookie })).status).toBe(200);
    expect((await getWith(cookie, '/admin', strict)).status).toBe(200);
    // An admin cannot turn it off here.
    expect((await postForm(strict, '/admin/account/two-factor', { intent: 'disable', proof: PASSWORD }, { cookie })).status).toBe(403);
  });

  it('leaves editors free to choose', async () => {
    const email = `strict-editor-${Date.now()}@example.com`;
    await createUser(strict.db, { email, role: 'editor', password: PASSWORD }, { now: Date.now() });
    const cookie = cookieOf(await postForm(strict, '/admin/login', { email, password: PASSWORD }));
    expect((await getWith(cookie, '/admin', strict)).status).toBe(200);
  });
});
