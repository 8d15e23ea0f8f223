// Versions that stop one save from silently overwriting another. A row's
// `version` is raised inside the transaction that changes it; a save that
// names the version it started from is refused with a CONFLICT when the row has
// moved on. A save that names none behaves as before (the last one wins).
import { z } from 'zod';
import { ShiraseError, editConflict, fieldIssue, type StoredVersion } from './errors';

/** An optional version as it arrives: a positive integer, or nothing. */
export const versionField = z
  .number({ invalid_type_error: 'errors.field.versionWhole' })
  .int('errors.field.versionWhole')
  .positive('errors.field.versionWhole')
  .optional();

/** Refuses the save when it started from another version than the stored one. */
export function assertVersion(expected: number | undefined, current: StoredVersion & { version: number }): void {
  if (expected !== undefined && expected !== current.version) throw editConflict(current);
}

/** A version from a form field or a JSON body or an If-Match header ("3", 3, W/"3"); empty is none. */
export function readVersion(value: unknown, field = 'version'): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text =
    typeof value === 'number'
      ? String(value)
      : typeof value === 'string'
        ? value
            .trim()
            .replace(/^W\//, '')
            .replace(/^"(.*)"$/, '$1')
        : '';
  if (!/^[1-9]\d{0,14}$/.test(text)) {
    throw new ShiraseError('VALIDATION', 'errors.version.notNumber', { fields: [fieldIssue(field, 'errors.field.versionNumber')] });
  }
  return Number(text);
}

/** Refuses an UPDATE that matched no row because the version moved between the check and the write. */
export function assertWritten(changes: number, current: () => StoredVersion): void {
  if (changes !== 1) throw editConflict(current());
}
