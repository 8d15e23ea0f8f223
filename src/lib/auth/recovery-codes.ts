import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { recoveryCodes } from '../../../db/schema';
import type { Tx } from '../incidents/log';

export const RECOVERY_CODE_COUNT = 10;
// 32 letters and digits without i, l, o and 1, which are easy to misread: 5 bits each.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz023456789';

/** Lowercase letters and digits only, so "ABCDE-FGHIJ" and "abcdefghij" are the same code. */
function normalize(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// Each code carries 10 characters of 5 bits (50 bits),
// so a fast hash is enough: there is nothing to guess from it.
function hashCode(code: string): string {
  return createHash('sha256').update(normalize(code)).digest('base64url');
}

function newCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Replaces an account's recovery codes with new ones, returned once to be shown; only their hashes are kept. */
export function replaceRecoveryCodes(tx: Tx, userId: string, now: number): string[] {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  tx.insert(recoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: hashCode(code), createdAt: now })))
    .run();
  return codes;
}

/** Marks an unused recovery code used and says whether there was one. */
export function useRecoveryCode(tx: Tx, userId: string, code: string, now: number): boolean {
  if (normalize(code).length !== 10) return false;
  const result = tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashCode(code)), isNull(recoveryCodes.usedAt)))
    .run();
  return result.changes === 1;
}

export function unusedRecoveryCodeCount(db: Db | Tx, userId: string): number {
  return (
    db
      .select({ n: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
      .get()?.n ?? 0
  );
}
