import { z } from 'zod';
import { isErrorKey, notSaved, type ErrorKey, type FieldIssue, type MessageParams, type Thing } from './errors';
import { hasControlCharacters, withoutControlCharacters } from './control-characters';
import { PUBLIC_ID_PATTERN } from './ids';

// Zod messages in Shirase's schemas are catalog keys, so a field issue can be
// said in each reader's language. Parameters ride along after the key.
const PARAMS_MARK = '?';

/** A zod message naming a catalog key, with fixed parameters if the text has placeholders. */
export function keyed(key: ErrorKey, params?: Record<string, string | number>): string {
  return params ? `${key}${PARAMS_MARK}${JSON.stringify(params)}` : key;
}

const count = (n: number | bigint) => Number(n).toLocaleString('en');

/** One zod issue as a field issue; zod's own wording (not a catalog key) is kept as it is. */
export function issueFromZod(issue: z.ZodIssue, field = issue.path.join('.') || 'input'): FieldIssue {
  const mark = issue.message.indexOf(PARAMS_MARK);
  const key = mark === -1 ? issue.message : issue.message.slice(0, mark);
  if (!isErrorKey(key)) return { field, key: 'errors.detail', params: { detail: issue.message } };
  const params: MessageParams = mark === -1 ? {} : JSON.parse(issue.message.slice(mark + 1));
  if (issue.code === 'too_big') params.max ??= count(issue.maximum);
  if (issue.code === 'too_small') params.min ??= count(issue.minimum);
  return { field, key, params };
}

/** Validates input against a schema, turning every problem into a field issue at once. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: Thing): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw notSaved(
    what,
    result.error.issues.map((i) => issueFromZod(i)),
    { hintListsFields: true },
  );
}

/** Updates may be back-dated freely but not dated ahead of the server's clock by more than this. */
const CLOCK_SKEW_MS = 2 * 60_000;
export const MAX_BODY_CHARS = 20_000;
export const MAX_NAME_CHARS = 200;
export const MAX_DESCRIPTION_CHARS = 1000;
/** A component status change's reason. */
export const MAX_NOTE_CHARS = 500;

/** A name is one line of text: a control character in it (a line break, a tab, NUL, ESC) is refused, never guessed at. */
export const nameField = z
  .string({ required_error: 'errors.field.nameRequired' })
  .trim()
  .min(1, 'errors.field.nameRequired')
  .max(MAX_NAME_CHARS, 'errors.field.nameTooLong')
  .refine((name) => !hasControlCharacters(name), 'errors.field.controlCharacters');

/** Bodies keep line breaks and tabs; other control characters are taken out before anything else is checked. */
export const withoutControls = <S extends z.ZodTypeAny>(schema: S) =>
  z.preprocess((value) => (typeof value === 'string' ? withoutControlCharacters(value) : value), schema);

export const bodyField = withoutControls(
  z.string({ required_error: 'errors.field.bodyRequired' }).trim().min(1, 'errors.field.bodyRequired').max(MAX_BODY_CHARS, 'errors.field.bodyTooLong'),
);

export const timestampField = z
  .number({ invalid_type_error: 'errors.field.dateRequired' })
  .int()
  .min(Date.UTC(2000, 0, 1), 'errors.field.dateTooEarly');

export function notInFuture(now: number) {
  return (value: number | undefined) => value === undefined || value <= now + CLOCK_SKEW_MS;
}

/** A public id (12 lowercase base36 characters); `message` names what the field should have picked. */
export const publicIdField = (message?: ErrorKey) => z.string().regex(PUBLIC_ID_PATTERN, message);
