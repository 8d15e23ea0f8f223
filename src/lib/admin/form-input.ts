// Turning submitted forms into verb input. Values the browser sends as text
// become numbers, booleans and lists here, and nowhere else; what they mean is
// checked by the verb's own schema (formInput), the one the write API maps
// its JSON into too, so a form needs no casts and says what the API says.
import type { z } from 'zod';
import { fieldIssue, notSaved, type FieldIssue, type Thing } from '../errors';
import { issueFromZod } from '../validation';
import { zonedTimeToUtc } from '../time';
import type { Actor } from '../write-context';
import type { SessionUser } from '../auth/sessions';
import { isLocale } from '../i18n/messages';

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function optionalText(form: FormData, name: string): string | undefined {
  const value = text(form, name).trim();
  return value === '' ? undefined : value;
}

export function checked(form: FormData, name: string): boolean {
  return form.get(name) === 'on' || form.get(name) === 'true';
}

/**
 * Reads a `datetime-local` value as wall-clock time in the page's zone.
 * Empty means "now" (undefined); anything unreadable is a field error.
 */
export function localDateTime(form: FormData, name: string, timeZone: string, issues: FieldIssue[]): number | undefined {
  const raw = text(form, name).trim();
  if (raw === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(raw);
  if (!m) {
    issues.push(fieldIssue(name, 'errors.field.dateFormat'));
    return undefined;
  }
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return zonedTimeToUtc(y, mo, d, h, mi, timeZone);
}

/** `component:<id>` selects: a status per component, or empty for "leave as it is". The verb's schema checks the words. */
export function componentChanges(form: FormData): { componentId: string; status: string }[] {
  const changes: { componentId: string; status: string }[] = [];
  for (const [key, value] of form.entries()) {
    if (!key.startsWith('component:') || typeof value !== 'string' || value === '') continue;
    changes.push({ componentId: key.slice('component:'.length), status: value });
  }
  return changes;
}

/**
 * What a form said, run through the schema of the verb it is for: the result
 * is the verb's input, typed by that schema. Problems the form found itself
 * (an unreadable date, in `issues`) and the schema's are said together, each
 * on its field, so one round trip shows them all.
 */
export function formInput<S extends z.ZodTypeAny>(schema: S, values: Record<string, unknown>, what: Thing, issues: readonly FieldIssue[] = []): z.output<S> {
  const result = schema.safeParse(values);
  const found = [...issues, ...(result.success ? [] : result.error.issues.map((i) => issueFromZod(i)))];
  if (found.length > 0) throw notSaved(what, found, { hintListsFields: true });
  return result.data;
}

/** Values to put back into a form after a failed submission, so nothing typed is lost. */
export function formValues(form: FormData | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!form) return out;
  for (const [key, value] of form.entries()) if (typeof value === 'string') out[key] = value;
  return out;
}

/** Field errors found while reading a form, raised like a verb's validation error. */
export function throwIfIssues(issues: FieldIssue[], what: Thing): void {
  if (issues.length > 0) throw notSaved(what, issues);
}

/** Fields named `name:ja`, `body:ja`…: the same texts in the other languages, side by side with the originals. */
export function translationsFrom(form: FormData, fields: string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [key, value] of form.entries()) {
    const [field, locale] = key.split(':');
    if (!locale || !field || !fields.includes(field) || typeof value !== 'string' || value.trim() === '' || !isLocale(locale)) continue;
    (out[locale] ??= {})[field] = value;
  }
  return out;
}

/** One field's translations (`resolveBody:ja`…) under the name the verb knows it by (`body`). */
export function translationsOf(form: FormData, field: string, as: string): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(translationsFrom(form, [field])).map(([locale, fields]) => [locale, { [as]: fields[field]! }]));
}

export function actorFor(user: SessionUser): Actor {
  return { kind: 'user', id: user.id, label: user.email };
}

/** Formats an instant for a `datetime-local` input in the page's zone. */
export function toLocalInput(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
