import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checkResults, checks } from '../../../db/schema';
import type { AlertDelivery, IncomingAlert } from '../alerts/alert';
import { receiveAlerts } from '../alerts/receive-alerts';
import type { Config } from '../config';
import { t } from '../i18n/messages';
import type { WriteContext } from '../write-context';
import { describeFailure, storedFailure } from './check-failure';
import { probe, type ProbeOutcome } from './probe';

type CheckRow = typeof checks.$inferSelect;

/** Where a check's alert goes: receiveAlerts, or a stand-in a test gives. */
export type SendAlerts = (db: Db, config: Config, delivery: AlertDelivery, ctx: WriteContext) => unknown;

export interface CheckRun {
  outcome: ProbeOutcome;
  state: CheckRow['state'];
  /** The state before this run, so a change can be told. */
  previousState: CheckRow['state'];
  consecutiveFailures: number;
  /** The alert this run sent, if it crossed the threshold or recovered. */
  sent: 'firing' | 'resolved' | null;
}

/** The audit log names the check as the source of what its alert changes. */
function checkActor(name: string) {
  return { kind: 'system' as const, id: null, label: `check ${name}` };
}

function checkAlert(config: Config, check: CheckRow, status: 'firing' | 'resolved', startsAt: number, endsAt: number | null, summary: string): IncomingAlert {
  const extra = JSON.parse(check.labels) as Record<string, string>;
  return {
    fingerprint: `check:${check.id}`,
    status,
    name: check.name,
    summary,
    labels: { ...extra, alertname: check.name, check: check.name },
    startsAt,
    endsAt,
    url: `${config.siteUrl}/admin/checks/${check.id}`,
  };
}

/**
 * Records one probe's outcome: its result row, the check's state, and, when
 * this run crossed the threshold of failures or recovered after it, the alert,
 * all in one transaction. With `withAlert` false only the result and the
 * counters are written, and the state is left for the next run to change (and
 * so to send the alert again).
 */
function record(db: Db, config: Config, id: string, outcome: ProbeOutcome, at: number, send: SendAlerts, withAlert: boolean): CheckRun | null {
  return db.$client
    .transaction((): CheckRun | null => {
      const check = db.select().from(checks).where(eq(checks.id, id)).get();
      // Deleted while the probe ran: nothing to record.
      if (!check) return null;
      const error = storedFailure(outcome.failure);
      db.insert(checkResults).values({ checkId: id, at, ok: outcome.ok, ms: outcome.ms, statusCode: outcome.statusCode, error }).run();
      const failures = outcome.ok ? 0 : check.consecutiveFailures + 1;
      const failingSince = outcome.ok ? null : (check.failingSince ?? at);
      let state = check.state;
      let sent: CheckRun['sent'] = null;
      const ctx: WriteContext = { now: at, actor: checkActor(check.name) };
      const delivery = (alert: IncomingAlert): AlertDelivery => ({ source: 'check', groupKey: `check:${id}`, alerts: [alert] });
      if (!outcome.ok && state !== 'down' && failures >= check.failuresBefore) {
        if (withAlert) {
          const summary = t(config.defaultLocale, 'checks.alertSummary', {
            target: check.target,
            failure: describeFailure(config.defaultLocale, error),
            count: failures,
          });
          send(db, config, delivery(checkAlert(config, check, 'firing', failingSince!, null, summary)), ctx);
          state = 'down';
          sent = 'firing';
        }
      } else if (outcome.ok && state === 'down') {
        if (withAlert) {
          const summary = t(config.defaultLocale, 'checks.recoverySummary', { target: check.target });
          send(db, config, delivery(checkAlert(config, check, 'resolved', check.failingSince ?? at, at, summary)), ctx);
          state = 'up';
          sent = 'resolved';
        }
      } else if (outcome.ok) state = 'up';
      // A recovery whose alert could not be sent keeps the run of failures open, so the next success sends it.
      const keepFailingSince = outcome.ok && state === 'down';
      db.update(checks)
        .set({
          state,
          consecutiveFailures: failures,
          failingSince: keepFailingSince ? check.failingSince : failingSince,
          lastCheckedAt: at,
          ...(outcome.certExpiresAt !== null ? { certExpiresAt: outcome.certExpiresAt } : {}),
        })
        .where(eq(checks.id, id))
        .run();
      return { outcome, state, previousState: check.state, consecutiveFailures: failures, sent };
    })
    .immediate();
}

/**
 * Runs one check now: probes its target, stores the result and the check's
 * state, and after `failuresBefore` failures in a row fires its alert through
 * receiveAlerts (and resolves it at the first success after). Resolves to
 * null when the check does not exist (any more) or the run was stopped.
 */
export async function runCheck(
  db: Db,
  config: Config,
  id: string,
  options: { now?: () => number; send?: SendAlerts; signal?: AbortSignal } = {},
): Promise<CheckRun | null> {
  const now = options.now ?? (() => Date.now());
  const send = options.send ?? receiveAlerts;
  const check = db.select().from(checks).where(eq(checks.id, id)).get();
  if (!check) return null;
  const outcome = await probe(check, options.signal);
  // Stopped mid-probe (the server is closing): the outcome says nothing about the target.
  if (options.signal?.aborted) return null;
  const at = now();
  try {
    return record(db, config, id, outcome, at, send, true);
  } catch (error) {
    // The alert could not be taken in: keep the result, and let the next run try the alert again.
    record(db, config, id, outcome, at, send, false);
    throw error;
  }
}
