import { describe, expect, it } from 'vitest';
import { LOCALES, messageKeys, t } from '../../src/lib/i18n/messages';
import { ja } from '../../src/lib/i18n/ja';
import { negotiateLocale, splitLocalePath } from '../../src/lib/i18n/locale-path';

const placeholders = (text: string) => [...text.matchAll(/(?<!\{)\{(\w+)\}(?!\})/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('have every key in both languages, none empty', () => {
    for (const key of messageKeys()) {
      expect(ja[key], key).toBeTruthy();
      expect(t('en', key), key).toBeTruthy();
    }
    expect(Object.keys(ja).sort()).toEqual([...messageKeys()].sort());
  });

  it('use the same placeholders in both languages', () => {
    for (const key of messageKeys()) expect(placeholders(ja[key]), key).toEqual(placeholders(t('en', key)));
  });

  it('fill placeholders and leave unknown ones visible', () => {
    expect(t('en', 'uptime.heading', { days: 90 })).toBe('Uptime over the last 90 days');
    expect(t('ja', 'uptime.heading', { days: 90 })).toBe('過去 90 日間の稼働率');
    expect(t('en', 'uptime.heading')).toContain('{days}');
  });
});

describe('choosing a language', () => {
  it.each([
    ['ja,en;q=0.8', 'ja'],
    ['en-GB,en;q=0.9,ja;q=0.8', 'en'],
    ['ja-JP', 'ja'],
    ['fr-FR,fr;q=0.9', 'en'],
    ['en;q=0.2, ja;q=0.9', 'ja'],
    ['ja;q=0', 'en'],
    ['', 'en'],
  ])('reads %j as %s', (header, expected) => {
    expect(negotiateLocale(header, 'en')).toBe(expected);
  });

  it('splits a language prefix from the path the pages know', () => {
    expect(splitLocalePath('/ja/history')).toEqual({ locale: 'ja', rest: '/history' });
    expect(splitLocalePath('/ja')).toEqual({ locale: 'ja', rest: '/' });
    expect(splitLocalePath('/history')).toEqual({ locale: null, rest: '/history' });
    expect(splitLocalePath('/fr/history')).toEqual({ locale: null, rest: '/fr/history' });
    expect(LOCALES).toEqual(['en', 'ja']);
  });
});
