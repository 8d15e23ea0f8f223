import { describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { acceptTotpCode, newTotpSecret, normalizeTotpCode, totpUri } from '../../src/lib/auth/totp';

const now = Date.UTC(2026, 10, 29, 12, 0, 10);
const secret = newTotpSecret();
const app = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
const step = Math.floor(now / 30_000);

describe('TOTP codes', () => {
  it('accept the code of this period and one period either side, as the step it belongs to', () => {
    expect(acceptTotpCode(secret, app.generate({ timestamp: now }), null, now)).toBe(step);
    expect(acceptTotpCode(secret, app.generate({ timestamp: now - 30_000 }), null, now)).toBe(step - 1);
    expect(acceptTotpCode(secret, app.generate({ timestamp: now + 30_000 }), null, now)).toBe(step + 1);
    expect(acceptTotpCode(secret, app.generate({ timestamp: now + 90_000 }), null, now)).toBeNull();
  });

  it('never accept a step at or before the last one used', () => {
    const code = app.generate({ timestamp: now });
    expect(acceptTotpCode(secret, code, step, now)).toBeNull();
    expect(acceptTotpCode(secret, app.generate({ timestamp: now - 30_000 }), step, now)).toBeNull();
    expect(acceptTotpCode(secret, app.generate({ timestamp: now + 30_000 }), step, now)).toBe(step + 1);
  });

  it('read codes typed with spaces or a hyphen, and nothing that is not six digits', () => {
    expect(normalizeTotpCode(' 123 456 ')).toBe('123456');
    expect(normalizeTotpCode('123-456')).toBe('123456');
    expect(normalizeTotpCode('12345')).toBeNull();
    expect(normalizeTotpCode('abcdef')).toBeNull();
  });

  it('give apps an otpauth:// address naming the site and the account', () => {
    const uri = new URL(totpUri(secret, 'Fusen Status', 'alice@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Fusen Status');
    expect(decodeURIComponent(uri.pathname)).toContain('alice@example.com');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });
});
