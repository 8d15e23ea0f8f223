import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/lib/auth/password';

/** How many times the event loop turned while `work` ran: zero means it held the thread. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await work();
  running = false;
  return turns;
}

describe('password hashing', () => {
  it('verifies the password it hashed, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('anything', 'not a stored hash')).toBe(false);
  });

  it('treats the same password typed in another Unicode form as the same', async () => {
    const stored = await hashPassword('ｐａｓｓｗｏｒｄ　ｏｎｅ');
    expect(await verifyPassword('password one', stored)).toBe(true);
  });

  it('runs off the calling thread: pages keep rendering while a sign-in is checked', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await turnsDuring(() => hashPassword('another password'))).toBeGreaterThan(0);
    expect(await turnsDuring(() => verifyPassword('a wrong guess', stored))).toBeGreaterThan(0);
  });

  describe('the low cost the test suites set', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('is used under NODE_ENV=test, and recorded in the hash', async () => {
      vi.stubEnv('NODE_ENV', 'test');
      vi.stubEnv('SHIRASE_TEST_SCRYPT_N', '16');
      const stored = await hashPassword('correct horse battery staple');
      expect(stored).toMatch(/^scrypt\$16\$8\$1\$/);
      expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
      expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    });

    // These hash at the real cost several times over: on a busy 2-core machine that can take seconds.
    it('is ignored outside tests, so production keeps the real cost whatever the environment says', { timeout: 30_000 }, async () => {
      vi.stubEnv('SHIRASE_TEST_SCRYPT_N', '16');
      for (const mode of ['production', 'development', '']) {
        vi.stubEnv('NODE_ENV', mode);
        expect(await hashPassword('correct horse battery staple')).toMatch(/^scrypt\$32768\$8\$1\$/);
      }
    });

    it('falls back to the real cost for a value scrypt cannot take', { timeout: 30_000 }, async () => {
      vi.stubEnv('NODE_ENV', 'test');
      for (const typo of ['15', '1', '0', 'low', '65536']) {
        vi.stubEnv('SHIRASE_TEST_SCRYPT_N', typo);
        expect(await hashPassword('correct horse battery staple')).toMatch(/^scrypt\$32768\$/);
      }
    });

    it('verifies hashes made at either cost, whichever cost is set now', async () => {
      vi.stubEnv('NODE_ENV', 'production');
      const strong = await hashPassword('correct horse battery staple');
      vi.stubEnv('NODE_ENV', 'test');
      vi.stubEnv('SHIRASE_TEST_SCRYPT_N', '16');
      const weak = await hashPassword('correct horse battery staple');
      expect(await verifyPassword('correct horse battery staple', strong)).toBe(true);
      vi.stubEnv('NODE_ENV', 'production');
      expect(await verifyPassword('correct horse battery staple', weak)).toBe(true);
    });
  });
});
