import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './test-server';
import { startProgram } from './program';

/** Debian's package puts it here; .ci/run installs it. */
const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** Where the webhook receiver posts: Shirase's `/api/v1/integrations/alertmanager`, or a test's own receiver. */
  receiverUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  /** How soon Alertmanager sends a still-firing group again; long enough not to matter unless a test wants repeats. */
  repeatInterval?: string;
}

/** An alert as Alertmanager's API v2 takes it (`POST /api/v2/alerts`). */
interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface RunningAlertmanager {
  url: string;
  /** The configuration file as written, for a test (or docs/alerts-and-checks.md) to show. */
  config: AlertmanagerConfig;
  output(): string;
  /** Posts alerts to its API as Prometheus would. */
  post(alerts: PostableAlert[]): Promise<void>;
  /** A firing alert: no `endsAt`, so Alertmanager keeps it firing; `startsAt` a minute ago unless given. */
  fire(labels: Record<string, string>, options?: { annotations?: Record<string, string>; startsAt?: Date }): Promise<PostableAlert>;
  /** The same alert again with `endsAt` a moment ago, which Alertmanager reads as resolved. */
  resolve(alert: PostableAlert): Promise<PostableAlert>;
  /** Webhook notifications Alertmanager has sent so far, and how many of them failed, from its own metrics. */
  notifications(): Promise<{ sent: number; failed: number }>;
  stop(): Promise<void>;
}

/** The configuration the harness writes: one route to one webhook receiver. */
export function alertmanagerConfig(options: AlertmanagerOptions) {
  return {
    route: {
      receiver: 'shirase',
      group_by: ['alertname', 'service'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: options.repeatInterval ?? '24h',
    },
    receivers: [
      {
        name: 'shirase',
        webhook_configs: [
          {
            url: options.receiverUrl,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials: options.token } },
          },
        ],
      },
    ],
  };
}
type AlertmanagerConfig = ReturnType<typeof alertmanagerConfig>;

/**
 * The real Alertmanager on a free loopback port, with its own config and
 * storage in a temporary folder and no cluster listener; resolves once
 * `/-/ready` answers.
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-alertmanager-'));
  const config = alertmanagerConfig(options);
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { output, stop } = await startProgram(
    'Alertmanager',
    ALERTMANAGER,
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip listener on 0.0.0.0, and no waiting for peers before the first notification.
      '--cluster.listen-address=',
      `--web.external-url=${url}`,
    ],
    { dir, ready: () => waitUntilReady(url) },
  );

  const post = async (alerts: PostableAlert[]) => {
    const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (res.status !== 200) throw new Error(`Alertmanager refused the alerts with ${res.status}: ${await res.text()}`);
  };
  return {
    url,
    config,
    output,
    post,
    fire: async (labels, { annotations, startsAt } = {}) => {
      const alert: PostableAlert = {
        labels,
        annotations: annotations ?? {},
        startsAt: (startsAt ?? new Date(Date.now() - 60_000)).toISOString(),
        generatorURL: `http://prometheus.invalid/graph?g0.expr=${encodeURIComponent(labels.alertname ?? '')}`,
      };
      await post([alert]);
      return alert;
    },
    resolve: async (alert) => {
      // In the past, so Alertmanager reads it as resolved at once; never before the start, which it would refuse.
      const endsAt = Math.max(Date.now() - 1_000, alert.startsAt ? Date.parse(alert.startsAt) : 0);
      const resolved = { ...alert, endsAt: new Date(endsAt).toISOString() };
      await post([resolved]);
      return resolved;
    },
    notifications: async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const metric = (name: string) => Number(new RegExp(`^${name}\\{integration="webhook"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
      return { sent: metric('alertmanager_notifications_total'), failed: metric('alertmanager_notifications_failed_total') };
    },
    stop,
  };
}

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`Alertmanager at ${url} was not ready within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
