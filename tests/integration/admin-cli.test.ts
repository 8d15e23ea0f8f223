import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freshDatabase } from '../support/test-server';
import { signIn } from '../../src/lib/auth/sign-in';
import { MAX_FAILURES_PER_PAIR } from '../../src/lib/auth/sign-in-throttle';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { authenticateToken } from '../../src/lib/auth/api-tokens';
import { createUser } from '../../src/lib/auth/create-user';
import { programArgs } from '../support/programs';

const { db, dir, databasePath } = freshDatabase();
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = (...args: string[]) =>
  spawnSync(process.execPath, [...programArgs('src/cli/admin.ts'), ...args], { env: { ...process.env, DATABASE_PATH: databasePath }, encoding: 'utf8' });

describe('npm run admin', () => {
  it('adds a user with a generated password, printed once, that signs in', async () => {
    const out = admin('user', 'add', 'Oncall@Example.com', '--role', 'editor');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Added oncall@example.com as editor.');
    const password = /Password \(shown only now\): (\S+)/.exec(out.stdout)![1]!;
    expect((await signIn(db, { email: 'oncall@example.com', password, address: '127.0.0.1' }, Date.now())).kind).toBe('session');
    expect(
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'user', 'list'], {
        env: { ...process.env, DATABASE_PATH: databasePath },
        encoding: 'utf8',
      }),
    ).toContain('oncall@example.com\teditor');
  });

  it('refuses a duplicate address and an unknown role with a clear message', () => {
    const dup = admin('user', 'add', 'oncall@example.com');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const role = admin('user', 'add', 'new@example.com', '--role', 'owner');
    expect(role.status).toBe(2);
    expect(role.stderr).toContain('--role must be one of admin, editor');
  });

  it('unlocks an account and resets a password, printed once, ending its sessions', async () => {
    const email = 'oncall@example.com';
    for (let i = 0; i < MAX_FAILURES_PER_PAIR; i++)
      await expect(signIn(db, { email, password: 'wrong', address: '10.9.9.9' }, Date.now(), { wait: async () => {} })).rejects.toThrow();
    await expect(signIn(db, { email, password: 'whatever', address: '10.9.9.9' }, Date.now())).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const unlocked = admin('user', 'unlock', email);
    expect(unlocked.status, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain(`Unlocked ${email}`);

    const before = await signIn(db, { email, password: 'wrong', address: '10.9.9.9' }, Date.now()).catch((e: unknown) => e);
    expect(before).toMatchObject({ code: 'UNAUTHORIZED' });
    const reset = admin('user', 'reset-password', email);
    expect(reset.status, reset.stderr).toBe(0);
    const password = /Password \(shown only now\): (\S+)/.exec(reset.stdout)![1]!;
    expect(reset.stdout).toMatch(/1 session\(s\) ended/);
    expect((await signIn(db, { email, password, address: '10.9.9.9' }, Date.now())).kind).toBe('session');
    expect(admin('user', 'unlock', 'nobody@example.com').status).toBe(1);
  });

  it('disables an account and says how many of its API tokens stopped working, which are then refused', async () => {
    const now = Date.now();
    await createUser(db, { email: 'leaver@example.com', role: 'admin', password: 'correct horse battery staple' }, { now });
    const leaver = db.$client.prepare("select id from users where email = 'leaver@example.com'").get() as { id: string };
    const actor = { kind: 'user' as const, id: leaver.id, label: 'leaver@example.com' };
    const { token } = createApiToken(db, { name: 'pager', scopes: ['incidents'] }, { now, actor });
    createApiToken(db, { name: 'bot', scopes: ['read'] }, { now, actor });
    const out = admin('user', 'disable', 'Leaver@example.com');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('Disabled leaver@example.com: 0 session(s) ended, 2 API token(s) it created stopped working.');
    expect(() => authenticateToken(db, `Bearer ${token}`, 'incidents', Date.now())).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED', key: 'errors.token.creatorDisabled' }),
    );
  });
});
