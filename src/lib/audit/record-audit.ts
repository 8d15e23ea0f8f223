import type { Tx } from '../incidents/log';
import { auditLog } from '../../../db/schema';
import { SYSTEM_ACTOR, type WriteContext } from '../write-context';
import { auditAudienceOf } from './audit-audience';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

// Values that must never land in the audit log in the clear.
const SECRET_KEYS = new Set(['password', 'passwordHash', 'token', 'tokenHash']);

function snapshot(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (key, v) => (SECRET_KEYS.has(key) ? '[redacted]' : v));
}

/** Writes one audit row inside the caller's transaction, so the log and the change commit together. */
export function recordAudit(tx: Tx, ctx: WriteContext, entry: AuditEntry): void {
  const actor = ctx.actor ?? SYSTEM_ACTOR;
  tx.insert(auditLog)
    .values({
      at: ctx.now,
      actorKind: actor.kind,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: snapshot(entry.before),
      after: snapshot(entry.after),
      audience: auditAudienceOf(entry.action),
    })
    .run();
}
