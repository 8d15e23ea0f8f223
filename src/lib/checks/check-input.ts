// What a check is made of, as staff type it: zod reads the form's values, and
// every problem becomes a field issue said in each reader's language.
import { isIP } from 'node:net';
import { z } from 'zod';
import { keyed, nameField } from '../validation';

import { CHECK_KINDS } from '../../../db/vocabulary';

export { CHECK_KINDS };
export type CheckKind = (typeof CHECK_KINDS)[number];

export const MIN_INTERVAL_SECONDS = 30;
export const MAX_INTERVAL_SECONDS = 86_400;
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 120;
export const MAX_FAILURES_BEFORE = 20;
export const MAX_CERT_WARN_DAYS = 365;
export const MAX_KEYWORD_CHARS = 200;
const MAX_LABELS = 20;
/** Labels every check alert carries already; a check's own labels cannot replace them. */
const RESERVED_LABELS = ['alertname', 'check'] as const;

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** "200" or "200-399": the statuses an HTTP check accepts. */
export function parseExpectedStatus(text: string): { low: number; high: number } | null {
  const m = /^([1-5]\d\d)(?:\s*-\s*([1-5]\d\d))?$/.exec(text.trim());
  if (!m) return null;
  const low = Number(m[1]);
  const high = m[2] ? Number(m[2]) : low;
  return low <= high ? { low, high } : null;
}

/** `host:port` (or `[::1]:port`) as a TCP check names its target; null when it is not one. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^\s*(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})\s*$/.exec(text);
  if (!m) return null;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) return null;
  if (m[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

/** The URL of an HTTP check: http or https only, with a host. */
export function parseCheckUrl(text: string): URL | null {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '' ? url : null;
  } catch {
    return null;
  }
}

/** Labels as `key=value` lines; blank lines are skipped. */
function parseLabelLines(text: string): { labels: Record<string, string>; bad: string[]; reserved: string[] } {
  const labels: Record<string, string> = {};
  const bad: string[] = [];
  const reserved: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    const key = eq === -1 ? '' : line.slice(0, eq).trim();
    const value = eq === -1 ? '' : line.slice(eq + 1).trim();
    if (!LABEL_NAME.test(key) || value === '' || value.length > 200) bad.push(line);
    else if ((RESERVED_LABELS as readonly string[]).includes(key)) reserved.push(key);
    else labels[key] = value;
  }
  return { labels, bad, reserved };
}

/** Labels as staff type them, one `key=value` a line. */
export function formatLabelLines(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

const int = (key: Parameters<typeof keyed>[0], min: number, max: number, params: Record<string, number> = { min, max }) =>
  z
    .number({ invalid_type_error: keyed(key, params), required_error: keyed(key, params) })
    .int(keyed(key, params))
    .min(min, keyed(key, params))
    .max(max, keyed(key, params));

/** A check as staff type it, checked field by field; checkSchema turns it into what is stored. */
export const checkFieldsSchema = z
  .object({
    name: nameField,
    kind: z.enum(CHECK_KINDS, { errorMap: () => ({ message: 'errors.field.checkKind' }) }),
    target: z
      .string({ required_error: 'errors.field.checkTargetRequired' })
      .trim()
      .min(1, 'errors.field.checkTargetRequired')
      .max(2000, 'errors.field.checkTargetTooLong'),
    intervalSeconds: int('errors.field.checkInterval', MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS).default(60),
    timeoutSeconds: int('errors.field.checkTimeout', MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS).default(10),
    expectedStatus: z
      .string()
      .trim()
      .default('200-399')
      .refine((v) => parseExpectedStatus(v) !== null, 'errors.field.checkExpectedStatus'),
    keyword: z.string().trim().max(MAX_KEYWORD_CHARS, 'errors.field.checkKeywordTooLong').optional(),
    certWarnDays: int('errors.field.checkCertWarnDays', 1, MAX_CERT_WARN_DAYS).optional(),
    failuresBefore: int('errors.field.checkFailuresBefore', 1, MAX_FAILURES_BEFORE).default(3),
    labels: z.string().max(10_000, 'errors.field.checkLabelsTooLong').default(''),
    enabled: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'http' && !parseCheckUrl(c.target)) ctx.addIssue({ code: 'custom', path: ['target'], message: 'errors.field.checkUrl' });
    if (c.kind === 'tcp' && !parseHostPort(c.target)) ctx.addIssue({ code: 'custom', path: ['target'], message: 'errors.field.checkHostPort' });
    if (c.timeoutSeconds > c.intervalSeconds)
      ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: 'errors.field.checkTimeoutLongerThanInterval' });
    if (c.certWarnDays !== undefined && !(c.kind === 'http' && parseCheckUrl(c.target)?.protocol === 'https:'))
      ctx.addIssue({ code: 'custom', path: ['certWarnDays'], message: 'errors.field.checkCertWarnHttpsOnly' });
    const { labels, bad, reserved } = parseLabelLines(c.labels);
    for (const line of bad) ctx.addIssue({ code: 'custom', path: ['labels'], message: keyed('errors.field.checkLabelLine', { line: line.slice(0, 60) }) });
    for (const name of reserved) ctx.addIssue({ code: 'custom', path: ['labels'], message: keyed('errors.field.checkLabelReserved', { label: name }) });
    if (Object.keys(labels).length > MAX_LABELS)
      ctx.addIssue({ code: 'custom', path: ['labels'], message: keyed('errors.field.checkLabelsTooMany', { max: MAX_LABELS }) });
  });

export const checkSchema = checkFieldsSchema.transform((c) => ({
  name: c.name,
  kind: c.kind,
  // A URL is stored as typed but trimmed; host:port the same.
  target: c.target,
  intervalSeconds: c.intervalSeconds,
  timeoutMs: c.timeoutSeconds * 1000,
  expectedStatus: c.expectedStatus.replace(/\s+/g, ''),
  keyword: c.kind === 'http' && c.keyword ? c.keyword : null,
  certWarnDays: c.certWarnDays ?? null,
  failuresBefore: c.failuresBefore,
  labels: JSON.stringify(parseLabelLines(c.labels).labels),
  enabled: c.enabled,
}));

export type CheckInput = z.input<typeof checkSchema>;
