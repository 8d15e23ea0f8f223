import { describe, expect, it } from 'vitest';
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
});
