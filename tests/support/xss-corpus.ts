import { readFileSync } from 'node:fs';

/** The hostile-input corpus: one payload a line, comments skipped. */
export function xssPayloads(): string[] {
  return readFileSync(new URL('../fixtures/xss-payloads.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('# '));
}
