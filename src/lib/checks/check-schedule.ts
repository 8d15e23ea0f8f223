import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checks } from '../../../db/schema';
import type { Config } from '../config';
import { pruneCheckResults } from './prune-check-results';
import { runCheck } from './run-check';
import type { Log } from '../log';

/** Checks probed at once, at most: a slow target never holds up the others, and the server is never flooded by its own probes. */
const PARALLEL_CHECKS = 4;
const DAY = 86_400_000;

export interface CheckLoopOptions {
  now: () => number;
  log: Log;
  /** Told when a run sent an alert (an incident may have opened or closed). */
  changed: () => void;
  /** How often the loop looks for due checks (tests shorten it). */
  tickMs?: number;
}

/**
 * Runs every enabled check when it is due (first at once, then every
 * interval after its last run), never two runs of one check at once and at
 * most PARALLEL_CHECKS together, most overdue first; prunes results older
 * than 90 days at start and once a day. The returned function stops the loop
 * and ends the probes under way, so a closing server never waits on a slow
 * target.
 */
export function startCheckLoop(db: Db, config: Config, options: CheckLoopOptions): () => Promise<void> {
  const { now, log } = options;
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let lastPrune = -Infinity;
  let stopped = false;

  const start = (id: string, name: string) => {
    const run = runCheck(db, config, id, { now, signal: abort.signal })
      .then((result) => {
        if (result && result.state !== result.previousState && result.state !== 'unknown')
          log(`[shirase] check ${name} is ${result.state}`, result.state === 'down' ? 'warn' : 'info', { check: id, state: result.state });
        if (result?.sent) options.changed();
      })
      .catch((error: unknown) => {
        if (!stopped) log(`[shirase] check ${name}: ${error instanceof Error ? error.message : String(error)}`, 'warn', { check: id });
      })
      .finally(() => running.delete(id));
    running.set(id, run);
  };

  const tick = () => {
    if (stopped) return;
    try {
      const at = now();
      if (at - lastPrune >= DAY) {
        lastPrune = at;
        pruneCheckResults(db, at);
      }
      if (running.size >= PARALLEL_CHECKS) return;
      const due = db
        .select({ id: checks.id, name: checks.name, intervalSeconds: checks.intervalSeconds, lastCheckedAt: checks.lastCheckedAt })
        .from(checks)
        .where(eq(checks.enabled, true))
        .all()
        .filter((c) => !running.has(c.id) && (c.lastCheckedAt === null || c.lastCheckedAt + c.intervalSeconds * 1000 <= at))
        .sort((a, b) => (a.lastCheckedAt ?? 0) + a.intervalSeconds * 1000 - ((b.lastCheckedAt ?? 0) + b.intervalSeconds * 1000));
      for (const c of due.slice(0, PARALLEL_CHECKS - running.size)) start(c.id, c.name);
    } catch (error) {
      log(`[shirase] checks: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
  };

  const timer = setInterval(tick, options.tickMs ?? 1_000);
  timer.unref();
  const first = setTimeout(tick, 0);
  first.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(first);
    abort.abort();
    await Promise.allSettled([...running.values()]);
  };
}
