// Each source's documented payload, read into AlertDelivery. Unknown fields
// are ignored (senders add them between versions); missing or mistyped
// required ones are a VALIDATION error naming the field, which the endpoint
// answers with 400.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ShiraseError } from '../errors';
import { issueFromZod } from '../validation';
import { ALERT_STATES, MAX_LABEL_NAME_CHARS, MAX_LABEL_VALUE_CHARS, MAX_LABELS, type AlertDelivery, type IncomingAlert } from './alert';
import { oneLine, withoutControlCharacters } from '../control-characters';

/** Bounds on what one delivery may carry: far above what a real sender sends, well below what would hurt. */
const MAX_ALERTS = 500;
const labelMap = z
  .record(z.string().max(MAX_LABEL_NAME_CHARS), z.string().max(MAX_LABEL_VALUE_CHARS))
  .refine((m) => Object.keys(m).length <= MAX_LABELS, 'errors.alerts.tooManyLabels');

/** Alertmanager and Grafana write RFC 3339 times; a firing alert's endsAt is the zero time or a time in the future. */
const rfc3339 = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'errors.alerts.badTime');

/** A payload that does not follow its format: BAD_REQUEST naming each field, so the sender's log says what to fix. */
function parsePayload<S extends z.ZodTypeAny>(schema: S, body: unknown, source: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => issueFromZod(i));
  throw new ShiraseError('BAD_REQUEST', 'errors.alerts.malformed', { params: { source }, fields, hintListsFields: true });
}

/** A time, or null for the zero time senders write for "not yet" (and anything before 2000, which no real alert has). */
function time(s: string | undefined): number | null {
  if (s === undefined) return null;
  const ms = Date.parse(s);
  return ms < Date.UTC(2000, 0, 1) ? null : ms;
}

/** Links are shown to staff as links: only http(s) ones are kept, never javascript: or data:. */
function httpUrl(s: string | undefined): string | null {
  if (!s) return null;
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The alert's name and one-line summary as people read them, from the usual labels and annotations. */
function described(labels: Record<string, string>, annotations: Record<string, string>, fallbackName: string): Pick<IncomingAlert, 'name' | 'summary'> {
  // A sender's control characters are cleaned, not refused: a refused alert is lost (senders retry no 4xx).
  const name = oneLine(labels.alertname || fallbackName).trim() || fallbackName;
  const summary = annotations.summary || annotations.description || annotations.message || null;
  return { name: name.slice(0, 200), summary: summary === null ? null : withoutControlCharacters(summary).slice(0, 2000) };
}

/** A fingerprint for senders that give none: the sorted labels, as Alertmanager computes its own from them. */
function labelsFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

const prometheusAlert = z.object({
  status: z.enum(ALERT_STATES),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  generatorURL: z.string().max(2000).optional(),
  fingerprint: z.string().max(200).optional(),
});

function fromPrometheusAlert(a: z.output<typeof prometheusAlert>, fallbackName: string): IncomingAlert {
  const endsAt = a.status === 'resolved' ? time(a.endsAt) : null;
  return {
    fingerprint: a.fingerprint || labelsFingerprint(a.labels),
    status: a.status,
    ...described(a.labels, a.annotations, fallbackName),
    labels: a.labels,
    startsAt: time(a.startsAt),
    endsAt,
    url: httpUrl(a.generatorURL),
  };
}

/** Alertmanager's webhook payload, version 4: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config */
export const alertmanagerPayload = z.object({
  version: z.literal('4', { errorMap: () => ({ message: 'errors.alerts.version' }) }),
  groupKey: z.string().min(1).max(2000),
  status: z.enum(ALERT_STATES),
  receiver: z.string().max(500).optional(),
  alerts: z.array(prometheusAlert).max(MAX_ALERTS),
});

export function fromAlertmanager(body: unknown): AlertDelivery {
  const p = parsePayload(alertmanagerPayload, body, 'Alertmanager');
  return { source: 'alertmanager', groupKey: p.groupKey, alerts: p.alerts.map((a) => fromPrometheusAlert(a, 'alert')) };
}

/** Grafana alerting's webhook contact point: the same alerts as Alertmanager's, with Grafana's own fields around them. */
export const grafanaPayload = z.object({
  groupKey: z.string().max(2000).optional(),
  status: z.enum(ALERT_STATES),
  title: z.string().max(2000).optional(),
  alerts: z.array(prometheusAlert).max(MAX_ALERTS),
});

export function fromGrafana(body: unknown): AlertDelivery {
  const p = parsePayload(grafanaPayload, body, 'Grafana');
  const alerts = p.alerts.map((a) => fromPrometheusAlert(a, 'Grafana alert'));
  // Grafana sends a groupKey from version 8 on; an older one groups by the alerts' names.
  const groupKey = p.groupKey || `grafana:${[...new Set(alerts.map((a) => a.name))].sort().join(',')}`;
  return { source: 'grafana', groupKey, alerts };
}

/** The generic webhook: one alert per request, documented in the OpenAPI document. */
export const genericAlertBody = z.object({
  id: z.string().min(1, 'errors.alerts.required').max(200),
  status: z.enum(ALERT_STATES, { errorMap: () => ({ message: 'errors.alerts.status' }) }),
  title: z.string().min(1, 'errors.alerts.required').max(200),
  summary: z.string().max(2000).optional(),
  labels: labelMap.default({}),
  group: z.string().min(1).max(200).optional(),
  started_at: rfc3339.optional(),
  resolved_at: rfc3339.optional(),
  url: z.string().max(2000).optional(),
});

export function fromWebhook(body: unknown): AlertDelivery {
  const p = parsePayload(genericAlertBody, body, 'webhook');
  const labels = { alertname: p.title, ...p.labels };
  return {
    source: 'webhook',
    groupKey: p.group ?? p.id,
    alerts: [
      {
        fingerprint: p.id,
        status: p.status,
        ...described({ alertname: p.title }, { summary: p.summary ?? '' }, p.id),
        labels,
        startsAt: time(p.started_at),
        endsAt: p.status === 'resolved' ? time(p.resolved_at) : null,
        url: httpUrl(p.url),
      },
    ],
  };
}
