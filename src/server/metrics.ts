// /metrics in Prometheus' text format (prom-client). What happens in this
// process is counted as it happens (requests, cache hits, renders, deliveries
// sent from here); what the database knows (the outbox, checks, alerts) and
// what the backup and copy status files say is read at each scrape, so the
// figures hold whichever process does the work (a separate `npm run worker`
// included). Names follow shirase_<thing>_<unit>, counters end in _total.
//
// Metrics say how the site runs, which is for its operator: they answer on
// loopback only, unless METRICS_TOKEN is set and the scraper sends it as a
// bearer token. A request relayed by a proxy (X-Forwarded-For) is not
// loopback, whatever the socket says.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { readBackupStatus } from '../lib/site/scheduled-backups';
import { readPublishStatus } from '../lib/site/publish-copy';

/** How a request was answered, for the request counter's `class` label. */
export type RequestClass = 'static' | 'public' | 'live' | 'health' | 'metrics' | 'app' | 'refused';

const classes = new WeakMap<ServerResponse, RequestClass>();

export interface MetricsSources {
  db: Db;
  config: Config;
  liveConnections: () => number;
  heldQuestions: () => number;
  renderQueue: () => number;
  renderInFlight: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'class' | 'status'>;
  private readonly cache: Counter<'result'>;
  private readonly renders: Histogram<never>;
  private readonly deliveries: Counter<'channel' | 'result'>;
  private readonly latency: Histogram<'channel'>;
  private readonly waitedOut: Counter;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'shirase_' });
    this.requests = new Counter({
      name: 'shirase_http_requests_total',
      help: 'HTTP requests answered, by how they were served and status code',
      labelNames: ['class', 'status'],
      registers,
    });
    this.cache = new Counter({
      name: 'shirase_public_cache_requests_total',
      help: 'Public page requests, served from memory (hit) or after waiting for a render (miss)',
      labelNames: ['result'],
      registers,
    });
    this.waitedOut = new Counter({
      name: 'shirase_reader_wait_expired_total',
      help: 'Readers of a page a write changed who waited the full two seconds for its render and got the page as it was',
      registers,
    });
    this.renders = new Histogram({
      name: 'shirase_render_duration_seconds',
      help: 'Time to render one public page on a render thread',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.deliveries = new Counter({
      name: 'shirase_deliveries_total',
      help: 'Notifications this process tried to deliver, by channel and result (sent, retry, failed)',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.latency = new Histogram({
      name: 'shirase_delivery_latency_seconds',
      help: 'From queueing to delivery, for notifications sent by this process',
      labelNames: ['channel'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('shirase_live_connections', 'Open live-update streams (Server-Sent Events)', sources.liveConnections);
    gauge('shirase_live_held_questions', 'Held /live.json questions waiting for the next change or round', sources.heldQuestions);
    gauge('shirase_render_queue_length', 'Public pages waiting to be rendered again after a change', sources.renderQueue);
    gauge('shirase_render_in_flight', 'Requests being handled by the render threads', sources.renderInFlight);
    this.databaseGauges(registers);
    this.fileGauges(registers);
  }

  private databaseGauges(registers: Registry[]): void {
    const { db } = this.sources;
    const all = <T>(sql: string) => db.$client.prepare(sql).all() as T[];
    new Gauge({
      name: 'shirase_outbox_messages',
      help: 'Notifications in the outbox, by channel and status (pending, sending, sent, failed, skipped)',
      labelNames: ['channel', 'status'],
      registers,
      collect() {
        this.reset();
        for (const r of all<{ channel: string; status: string; n: number }>('SELECT channel, status, count(*) AS n FROM outbox GROUP BY channel, status'))
          this.set({ channel: r.channel, status: r.status }, r.n);
      },
    });
    const now = () => Date.now();
    new Gauge({
      name: 'shirase_outbox_oldest_due_seconds',
      help: 'How long the oldest notification that is due has waited to be sent (0 when none is)',
      registers,
      collect() {
        const row = db.$client.prepare("SELECT min(next_attempt_at) AS due FROM outbox WHERE status IN ('pending', 'sending')").get() as { due: number | null };
        this.set(row.due === null ? 0 : Math.max(0, (now() - row.due) / 1000));
      },
    });
    new Gauge({
      name: 'shirase_check_up',
      help: 'Each enabled check as last run: 1 up, 0 down (checks not yet run are left out)',
      labelNames: ['check', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const r of all<{ name: string; kind: string; state: string }>("SELECT name, kind, state FROM checks WHERE enabled = 1 AND state != 'unknown'"))
          this.set({ check: r.name, kind: r.kind }, r.state === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'shirase_alerts_received',
      help: 'Alerts received and kept, by source (Alertmanager, Grafana, checks…)',
      labelNames: ['source'],
      registers,
      collect() {
        this.reset();
        for (const r of all<{ source: string; n: number }>('SELECT source, count(*) AS n FROM alerts GROUP BY source')) this.set({ source: r.source }, r.n);
      },
    });
  }

  private fileGauges(registers: Registry[]): void {
    const { config } = this.sources;
    if (config.backup) {
      const dir = config.backup.dir;
      new Gauge({
        name: 'shirase_backup_last_success_timestamp_seconds',
        help: 'When the newest backup in BACKUP_DIR was taken (absent before the first)',
        registers,
        collect() {
          this.reset();
          const at = readBackupStatus(dir).latest?.at;
          if (at !== undefined) this.set(at / 1000);
        },
      });
      if (config.backup.rcloneRemote)
        new Gauge({
          name: 'shirase_backup_copy_last_ok',
          help: 'Whether the last copy of a backup to BACKUP_RCLONE_REMOTE went through (1) or failed after its retries (0)',
          registers,
          collect() {
            this.reset();
            const remote = readBackupStatus(dir).remote;
            if (remote) this.set(remote.ok ? 1 : 0);
          },
        });
    }
    if (config.exportRcloneRemote)
      new Gauge({
        name: 'shirase_static_copy_last_ok',
        help: 'Whether the last publish of the static copy to EXPORT_RCLONE_REMOTE went through (1) or failed (0)',
        registers,
        collect() {
          this.reset();
          const status = readPublishStatus(config);
          if (status) this.set(status.ok ? 1 : 0);
        },
      });
  }

  /** Says how a request is being answered; counted with its status when it finishes. */
  classify(res: ServerResponse, cls: RequestClass): void {
    if (!classes.has(res)) res.once('finish', () => this.requests.inc({ class: classes.get(res) ?? 'app', status: String(res.statusCode) }));
    classes.set(res, cls);
  }

  cacheLookup(hit: boolean): void {
    this.cache.inc({ result: hit ? 'hit' : 'miss' });
  }

  readerWaitedOut(): void {
    this.waitedOut.inc();
  }

  rendered(ms: number): void {
    this.renders.observe(ms / 1000);
  }

  delivered(channel: string, result: 'sent' | 'retry' | 'failed', latencyMs: number | null): void {
    this.deliveries.inc({ channel, result });
    if (result === 'sent' && latencyMs !== null) this.latency.observe({ channel }, Math.max(0, latencyMs / 1000));
  }
}

const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.)/;

/** Headers a proxy adds for the client it relays: with any of them, the loopback socket is the proxy's, not the scraper's. */
const PROXY_HEADERS = [
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'via',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded',
  'cf-connecting-ip',
  'true-client-ip',
  'x-client-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
];

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Answers GET /metrics; false for any other request. */
export async function answerMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  metrics: Metrics,
  token: string | undefined,
  base: Record<string, string>,
): Promise<boolean> {
  if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  metrics.classify(res, 'metrics');
  const direct = LOOPBACK.test(req.socket.remoteAddress ?? '') && PROXY_HEADERS.every((name) => req.headers[name] === undefined);
  const allowed = token ? tokenMatches(req.headers.authorization, token) : direct;
  if (!allowed) {
    const text = token ? 'Send the metrics token as a bearer token.\n' : 'Metrics answer on loopback only; set METRICS_TOKEN to scrape from elsewhere.\n';
    res.writeHead(token ? 401 : 403, {
      ...base,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...(token ? { 'www-authenticate': 'Bearer' } : {}),
    });
    res.end(text);
    return true;
  }
  const text = await metrics.registry.metrics();
  res.writeHead(200, { ...base, 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
  return true;
}
