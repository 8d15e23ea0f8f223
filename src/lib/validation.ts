import { z } from 'zod';
import { ShiraseError } from './errors';

/** Validates input against a schema, turning every problem into a field issue at once. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({ field: i.path.join('.') || 'input', message: i.message }));
  throw new ShiraseError('VALIDATION', `The ${what} was not saved: ${fields.length} field(s) need fixing.`, {
    hint: fields.map((f) => `${f.field}: ${f.message}`).join(' '),
    fields,
  });
}

/** Updates may be back-dated freely but not dated ahead of the server's clock by more than this. */
const CLOCK_SKEW_MS = 2 * 60_000;
export const MAX_BODY_CHARS = 20_000;
const MAX_NAME_CHARS = 200;

export const nameField = z
  .string({ required_error: 'Give it a name.' })
  .trim()
  .min(1, 'Give it a name.')
  .max(MAX_NAME_CHARS, `Keep the name under ${MAX_NAME_CHARS} characters.`);

export const bodyField = z
  .string({ required_error: 'Write what is happening.' })
  .trim()
  .min(1, 'Write what is happening.')
  .max(MAX_BODY_CHARS, `Keep the text under ${MAX_BODY_CHARS.toLocaleString('en')} characters; link to a postmortem for more.`);

export const timestampField = z
  .number({ invalid_type_error: 'Give a date and time.' })
  .int()
  .min(Date.UTC(2000, 0, 1), 'Give a date after 2000.');

export function notInFuture(now: number) {
  return (value: number | undefined) => value === undefined || value <= now + CLOCK_SKEW_MS;
}
