import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../src/lib/notifications/signed-tokens';

const secret = randomBytes(32);

describe('signed subscriber links', () => {
  it('carry the link generation they were made for', () => {
    expect(verifyToken(secret, signToken(secret, 'abc123def456', 'manage', 7), 'manage', Date.now())).toEqual({ subscriberId: 'abc123def456', generation: 7 });
  });

  it('refuse a changed generation, purpose or subscriber', () => {
    const token = signToken(secret, 'abc123def456', 'manage', 1);
    expect(() => verifyToken(secret, token.replace('.g1.', '.g2.'), 'manage', Date.now())).toThrow('not valid');
    expect(() => verifyToken(secret, token, 'confirm', Date.now())).toThrow('not valid');
    expect(() => verifyToken(secret, token.replace('abc123def456', 'zzz123def456'), 'manage', Date.now())).toThrow('not valid');
  });

  it('read links made before generations existed as generation 0', () => {
    const payload = 'abc123def456.manage.0';
    const legacy = `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
    expect(verifyToken(secret, legacy, 'manage', Date.now())).toEqual({ subscriberId: 'abc123def456', generation: 0 });
  });

  it('expire confirmation links after their time', () => {
    const token = signToken(secret, 'abc123def456', 'confirm', 0, 1_000);
    expect(() => verifyToken(secret, token, 'confirm', 2_000)).toThrow('expired');
  });
});
