import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { keyed } from '../validation';

// scrypt cost: 2^15 takes about 50 ms here, slow enough to blunt guessing
// from a stolen database and fast enough for a sign-in form.
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 12;

/**
 * scrypt on libuv's worker pool: a sign-in costs its 50 ms there, never on
 * the thread that renders pages for everyone else.
 */
function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, { ...options, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * The cost of a new hash. The test suites sign in a few hundred times and set
 * SHIRASE_TEST_SCRYPT_N low; it is honoured only when NODE_ENV is `test`
 * (which vitest sets, and nothing that starts Shirase does), so a stray
 * variable in a production environment cannot weaken anyone's password. An
 * environment variable rather than a setter here, because hashes are also
 * made in the render threads and in the processes tests spawn, which inherit
 * the environment but not this module's state. Read at each call (it costs
 * nothing beside a hash) so a test can check both sides of the rule.
 */
function cost(): number {
  // Bracket access, so that no bundler replaces NODE_ENV with the value it had at build time.
  if (process.env['NODE_ENV'] !== 'test') return N;
  const asked = Number(process.env['SHIRASE_TEST_SCRYPT_N']);
  // scrypt wants a power of two above 1; anything else is a typo, and the real cost is the safe answer.
  return Number.isInteger(asked) && asked > 1 && asked < N && (asked & (asked - 1)) === 0 ? asked : N;
}

/** The stored form names its cost, so a hash made at one cost still verifies after the cost changes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const n = cost();
  const hash = await derive(password, salt, KEY_LENGTH, { N: n, r: R, p: P });
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

/** A password for a new account: 128 bits, readable, shown once. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url');
}

let dummy: Promise<string> | undefined;
/**
 * Verifying against this costs what a real check costs, so an unknown account
 * answers as slowly as a known one. Made on first use: hashing at import would
 * add a scrypt to every process start.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(generatePassword());
  return dummy;
}

/** The rule for every password a person chooses, said the same way everywhere. */
export const newPasswordField = z
  .string({ required_error: keyed('errors.field.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) })
  .min(MIN_PASSWORD_LENGTH, 'errors.field.passwordTooShort')
  .max(200, 'errors.field.tooLong');
