import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Every public id's shape, checked here and by `publicIdField` and nowhere else. */
export const PUBLIC_ID_PATTERN = /^[0-9a-z]{12}$/;

/**
 * A 12-character lowercase base36 id, the shape Statuspage uses for public ids.
 * Rejection sampling keeps every character uniformly likely.
 */
export function newPublicId(): string {
  let id = '';
  while (id.length < 12) {
    for (const byte of randomBytes(16)) {
      if (byte < 252) id += ALPHABET[byte % 36];
      if (id.length === 12) break;
    }
  }
  return id;
}

export function isPublicId(value: string): boolean {
  return PUBLIC_ID_PATTERN.test(value);
}
