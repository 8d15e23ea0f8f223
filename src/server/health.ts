// Health for the things that watch the process: `/healthz` says the server
// answers (a container's health check, a load balancer's liveness probe);
// `/readyz` says whether it can do its job, naming each check, and answers
// 503 when one fails. Neither says anything else: no paths, no versions, no
// error texts, as both are reachable by anyone who can reach the page.
import { accessSync, constants, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { readBackupStatus } from '../lib/site/scheduled-backups';

/** Below this much free space beside the database, writes are about to fail. */
const MIN_FREE_BYTES = 16 * 1024 * 1024;
/** The delivery loop turns at least once a second when idle; a batch of mail can take a while. */
const DELIVERY_STALL_MS = 120_000;

export interface HealthDeps {
  db: Db;
  config: Config;
  now: () => number;
  /** When the server started, for a backup schedule that has not run yet. */
  startedAt: number;
  renderThreads: () => number;
  /** When the inline delivery loop last began a turn; undefined when deliveries run in another process. */
  deliveryTurnAt: (() => number) | undefined;
}

interface Check {
  ok: boolean;
  [detail: string]: string | number | boolean;
}

function databaseCheck(db: Db, path: string): Check {
  try {
    if (path !== ':memory:') {
      accessSync(path, constants.W_OK);
      const fs = statfsSync(dirname(resolve(path)));
      if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return { ok: false, reason: 'disk_full' };
    }
    // Taking the write lock and letting it go writes nothing; another writer holding it long is a failure too.
    const sqlite = db.$client;
    const wait = sqlite.pragma('busy_timeout', { simple: true }) as number;
    sqlite.pragma('busy_timeout = 250');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      sqlite.exec('ROLLBACK');
    } finally {
      sqlite.pragma(`busy_timeout = ${wait}`);
    }
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return {
      ok: false,
      reason: code === 'SQLITE_BUSY' ? 'locked' : code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' ? 'read_only' : 'unavailable',
    };
  }
}

export function readiness(deps: HealthDeps): { ready: boolean; checks: Record<string, Check> } {
  const now = deps.now();
  const threads = deps.renderThreads();
  const checks: Record<string, Check> = {
    database: databaseCheck(deps.db, deps.config.databasePath),
    render_threads: { ok: threads > 0, running: threads, configured: deps.config.renderThreads },
  };
  if (deps.deliveryTurnAt) {
    const since = now - deps.deliveryTurnAt();
    checks.delivery = { ok: since < DELIVERY_STALL_MS, seconds_since_turn: Math.max(0, Math.round(since / 1000)) };
  } else checks.delivery = { ok: true, runs: 'separate_process' };
  const backup = deps.config.backup;
  if (backup) {
    const latest = readBackupStatus(backup.dir).latest?.at;
    const age = now - (latest ?? deps.startedAt);
    checks.backups = {
      ok: age < 2 * backup.everyMs,
      seconds_since_latest: Math.max(0, Math.round(age / 1000)),
      ...(latest === undefined ? { latest: 'none_yet' } : {}),
    };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/** Answers /healthz and /readyz; false for any other request. */
export function answerHealth(req: IncomingMessage, res: ServerResponse, path: string, deps: HealthDeps, base: Record<string, string>): boolean {
  if (!HEALTH_PATHS.has(path) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const { status, body } =
    path === '/healthz'
      ? { status: 200, body: { status: 'ok' } }
      : (() => {
          const { ready, checks } = readiness(deps);
          return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
        })();
  const text = JSON.stringify(body);
  res.writeHead(status, { ...base, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
  return true;
}
