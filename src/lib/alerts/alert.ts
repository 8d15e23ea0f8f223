// One shape for every alert, whatever sent it: Alertmanager, Grafana, the
// generic webhook or one of Shirase's own checks. Each source's payload is
// read into this shape by its own parser; rules and incidents only ever see
// this.

import { ALERT_SOURCES, ALERT_STATES } from '../../../db/vocabulary';

export { ALERT_STATES };
export type AlertState = (typeof ALERT_STATES)[number];
export type AlertSource = (typeof ALERT_SOURCES)[number];

export interface IncomingAlert {
  /** Stable for the alert across deliveries (Alertmanager's fingerprint, a check's id). */
  fingerprint: string;
  status: AlertState;
  /** What the alert is called: its `alertname` label, or the source's name for it. */
  name: string;
  /** One line for people: the `summary` annotation or the source's message. */
  summary: string | null;
  /** Every label, plus `alertname`; rules match these. */
  labels: Record<string, string>;
  /** When it began; null when the sender did not say (the generic webhook), read as the open alert's start or now. */
  startsAt: number | null;
  /** When it resolved, for a resolved alert. */
  endsAt: number | null;
  /** A link back to where the alert came from, when the source gives one. */
  url: string | null;
}

/** One delivery: the alerts a source sent together, under the group key it gave them. */
export interface AlertDelivery {
  source: AlertSource;
  /** Alerts of one delivery share it (Alertmanager's groupKey); with the rule that takes them it names their incident. */
  groupKey: string;
  alerts: IncomingAlert[];
}

/**
 * Bounds on the labels of one alert, from a payload or typed into "Try it":
 * far above what real senders send, and they bound each matcher's work
 * (linear in the value's length).
 */
export const MAX_LABELS = 100;
export const MAX_LABEL_NAME_CHARS = 200;
export const MAX_LABEL_VALUE_CHARS = 2000;
