import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fieldSummary } from '../../src/lib/admin/field-labels';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ja } from '../../src/lib/i18n/ja';
import { isMessageKey, messageKeys, t } from '../../src/lib/i18n/messages';
import { ShiraseError, errorBody, notFound, notSaved, say } from '../../src/lib/errors';
import { issueFromZod, keyed, nameField, parseInput } from '../../src/lib/validation';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|astro|mjs)$/.test(name) ? [path] : [];
  });
}

describe('error messages', () => {
  it('name only keys that exist in both catalogs', () => {
    const used = new Set<string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('db')]) {
      if (file.includes(join('src', 'lib', 'i18n'))) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['"`](errors\.[A-Za-z0-9_.]*[A-Za-z0-9_])['"`?]/g)) used.add(m[1]!);
      // notFound('component', …) and parseInput(…, 'incident') name their keys by a suffix.
      for (const m of text.matchAll(/notFound\('(\w+)'/g)) used.add(`errors.notFound.${m[1]}`);
      for (const m of text.matchAll(/(?:parseInput\([^;]*?|throwIfIssues\(\w+|notSaved\()\s*,?\s*'(\w+)'\)/g)) used.add(`errors.thing.${m[1]}`);
    }
    expect(used.size).toBeGreaterThan(100);
    for (const key of used) {
      expect(isMessageKey(key), key).toBe(true);
      expect(ja[key as keyof typeof ja], key).toBeTruthy();
    }
  });

  it('are never an English sentence looked up to translate', () => {
    for (const file of sourceFiles('src')) expect(readFileSync(file, 'utf8'), file).not.toMatch(/localizeMessage|error-messages/);
    for (const key of messageKeys().filter((k) => k.startsWith('errors.'))) expect(ja[key], key).not.toBe('');
  });

  it('carry a stable key and parameters, and are said in the reader’s language', () => {
    const error = new ShiraseError('CONFLICT', 'errors.postmortem.slugTaken', { params: { slug: 'renewal', file: '2018-06-22-renewal.md' } });
    expect(error.message).toBe('The slug "renewal" is already used by 2018-06-22-renewal.md.');
    expect(error.localized('ja').message).toBe('スラッグ「renewal」はすでに 2018-06-22-renewal.md で使われています。');
    expect(errorBody(error, 'ja').error).toMatchObject({
      code: 'CONFLICT',
      key: 'errors.postmortem.slugTaken',
      message: 'スラッグ「renewal」はすでに 2018-06-22-renewal.md で使われています。',
    });
    expect(notFound('component', 'abc123def456').localized('en')).toEqual({
      message: 'Component abc123def456 was not found.',
      hint: 'Check the address; it may have been removed or mistyped.',
      fields: [],
    });
  });

  it('say what was not saved and each field’s issue, with parameters from the schema', () => {
    let error: ShiraseError | undefined;
    try {
      parseInput(z.object({ name: nameField }), { name: 'x'.repeat(300) }, 'incident');
    } catch (e) {
      error = e as ShiraseError;
    }
    expect(error!.message).toBe('The incident was not saved: one field needs fixing.');
    expect(error!.localized('en')).toMatchObject({
      hint: 'name: Keep the name under 200 characters.',
      fields: [{ field: 'name', message: 'Keep the name under 200 characters.' }],
    });
    expect(error!.localized('ja').message).toBe('障害は保存されませんでした。1 か所の入力を直してください。');
    expect(error!.localized('ja').fields[0]!.message).toBe('名前は 200 文字以内にしてください。');
    expect(say('ja', notSaved('password', []).options.params!.what as never)).toBe('パスワード');
  });

  it('name each field in the summary, and say an issue about the whole form alone, never under "The form"', () => {
    const issues = [
      { field: 'name', key: 'errors.field.nameRequired' as const },
      { field: 'form', key: 'errors.form.unreadable' as const },
    ];
    expect(fieldSummary('en', issues)).toEqual([`Name: ${say('en', issues[0]!)}`, say('en', issues[1]!)]);
    expect(fieldSummary('ja', issues)[1]).toBe(say('ja', issues[1]!));
    expect(fieldSummary('en', issues).join('\n')).not.toContain('The form:');
  });

  it('keep zod’s own words when a schema gives no key, and fixed parameters when it does', () => {
    const plain = z.object({ n: z.number() }).safeParse({ n: 'x' });
    expect(say('en', issueFromZod(plain.error!.issues[0]!))).toBe('Expected number, received string');
    const fixed = z.string({ required_error: keyed('errors.field.passwordTooShort', { min: 12 }) }).safeParse(undefined);
    expect(say('ja', issueFromZod(fixed.error!.issues[0]!))).toBe(t('ja', 'errors.field.passwordTooShort', { min: 12 }));
  });
});
