import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/lib/config';

describe('configuration', () => {
  it('serves a local demo with no variables set', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ databasePath: './data/shirase.db', port: 4321, timeZone: 'Asia/Tokyo', defaultLocale: 'en', siteUrl: 'http://localhost:4321' });
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'eighty', TIME_ZONE: 'Mars/Olympus', SITE_URL: 'not a url', DEFAULT_LOCALE: 'fr' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'TIME_ZONE', 'SITE_URL', 'DEFAULT_LOCALE']) expect(problems).toContain(name);
  });

  it('keeps open pages on live events unless LIVE_MODE=poll, and publishes the copy only from EXPORT_DIR', () => {
    expect(parseConfig({}).liveMode).toBe('events');
    expect(parseConfig({ LIVE_MODE: 'poll' }).liveMode).toBe('poll');
    expect(() => parseConfig({ LIVE_MODE: 'sometimes' })).toThrow(/LIVE_MODE/);
    expect(() => parseConfig({ EXPORT_RCLONE_REMOTE: 'r2:copy' })).toThrow(/EXPORT_DIR/);
    expect(parseConfig({ EXPORT_DIR: './data/export', EXPORT_RCLONE_REMOTE: 'r2:copy' }).exportRcloneRemote).toBe('r2:copy');
  });

  it('reads LOG_LEVEL (info unless set) and refuses a level it does not know', () => {
    expect(parseConfig({}).logLevel).toBe('info');
    expect(parseConfig({ LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(() => parseConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
  });

  it('drops a trailing slash from the public URL', () => {
    expect(parseConfig({ SITE_URL: 'https://status.example.com/' }).siteUrl).toBe('https://status.example.com');
  });

  it('leaves two-factor sign-in optional unless STAFF_2FA=required', () => {
    expect(parseConfig({}).staffTwoFactor).toBe('optional');
    expect(parseConfig({ STAFF_2FA: 'required' }).staffTwoFactor).toBe('required');
    expect(() => parseConfig({ STAFF_2FA: 'yes' })).toThrow(/STAFF_2FA/);
  });

  it('gives sessions an absolute lifetime of 30 days unless SESSION_MAX_DAYS says otherwise', () => {
    expect(parseConfig({}).sessionMaxAgeMs).toBe(30 * 86_400_000);
    expect(parseConfig({ SESSION_MAX_DAYS: '7' }).sessionMaxAgeMs).toBe(7 * 86_400_000);
    expect(() => parseConfig({ SESSION_MAX_DAYS: '0' })).toThrow(/SESSION_MAX_DAYS/);
  });
});
