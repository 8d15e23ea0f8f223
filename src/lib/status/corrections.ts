import type { ComponentStatus } from './vocabulary';
import type { StatusChange } from './uptime';

/** A span of a component's history taken to have been in one status, as staff corrected it. */
export interface CorrectionSpan {
  from: number;
  to: number;
  status: ComponentStatus;
}

/** The status in force at `at` in an ordered ledger (operational before its first change). */
function statusAt(changes: readonly StatusChange[], at: number): ComponentStatus {
  let status: ComponentStatus = 'operational';
  for (const c of changes) {
    if (c.at > at) break;
    status = c.status;
  }
  return status;
}

/**
 * The ledger as corrected: each span replaces whatever the ledger said
 * between its ends, and the ledger's own status resumes at its end. Spans
 * are laid in the order given, so a later correction wins where two overlap.
 * The ledger passed in is left as it was.
 */
export function applyCorrections(changes: readonly StatusChange[], spans: readonly CorrectionSpan[]): StatusChange[] {
  let ledger = [...changes];
  for (const span of spans) {
    if (span.to <= span.from) continue;
    const resume = statusAt(ledger, span.to);
    const before = ledger.filter((c) => c.at < span.from);
    const after = ledger.filter((c) => c.at > span.to);
    ledger = [...before, { at: span.from, status: span.status }, { at: span.to, status: resume }, ...after];
  }
  return ledger;
}

/** Whether any span overlaps [from, to). */
export function overlapsAny(spans: readonly CorrectionSpan[], from: number, to: number): boolean {
  return spans.some((s) => s.from < to && s.to > from);
}
