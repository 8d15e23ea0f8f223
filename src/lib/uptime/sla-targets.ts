// Uptime targets (SLAs): one for the page, and one per component where it
// differs. A component without its own is held to the page's.
import { eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import type { Queryable } from '../incidents/log';
import { components, siteSettings } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { fieldIssue, notSaved, type FieldIssue } from '../errors';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';

export interface SlaTargets {
  /** Percent, as staff wrote it (99.9), or null for none. */
  page: number | null;
  /** Each live component's own target; absent or null follows the page's. */
  components: Map<string, number | null>;
}

/**
 * Reads a target as people write it: `99.9`, `99.95 %`, `99,9`. Empty is
 * "none" (null); anything else outside (0, 100) with more than three
 * decimals is an error, said for the field it came from.
 */
export function parseTarget(raw: string, field: string, issues: FieldIssue[]): number | null {
  const trimmed = raw.trim();
  const text = (trimmed.endsWith('%') ? trimmed.slice(0, -1).trimEnd() : trimmed).replace(',', '.');
  if (text === '') return null;
  if (!/^\d{1,3}(?:\.\d{1,3})?$/.test(text) || Number(text) <= 0 || Number(text) >= 100) {
    issues.push(fieldIssue(field, 'errors.field.slaTarget'));
    return null;
  }
  return Number(text);
}

export function loadSlaTargets(db: Queryable): SlaTargets {
  const page = db.select({ slaTarget: siteSettings.slaTarget }).from(siteSettings).where(eq(siteSettings.id, 1)).get()?.slaTarget ?? null;
  const rows = db.select({ id: components.id, slaTarget: components.slaTarget }).from(components).where(isNull(components.archivedAt)).all();
  return { page, components: new Map(rows.map((r) => [r.id, r.slaTarget])) };
}

/** The target a component is held to: its own, else the page's, else none. */
export function targetFor(targets: SlaTargets, componentId: string): number | null {
  return targets.components.get(componentId) ?? targets.page;
}

/**
 * Saves the page's target and the components' own ones in one go, raw as
 * typed; every unreadable value is named before anything is written.
 */
export function setSlaTargets(db: Db, input: { page: string; components: Record<string, string> }, ctx: WriteContext): void {
  const issues: FieldIssue[] = [];
  const page = parseTarget(input.page, 'page', issues);
  const own = Object.entries(input.components).map(([id, raw]) => [id, parseTarget(raw, `sla-${id}`, issues)] as const);
  if (issues.length > 0) throw notSaved('slaTargets', issues);
  db.transaction((tx) => {
    const before = loadSlaTargets(tx);
    tx.insert(siteSettings)
      .values({ id: 1, slaTarget: page, updatedAt: ctx.now })
      .onConflictDoUpdate({ target: siteSettings.id, set: { slaTarget: page, updatedAt: ctx.now } })
      .run();
    for (const [id, target] of own) {
      if (!before.components.has(id)) throw notSaved('slaTargets', [fieldIssue(`sla-${id}`, 'errors.field.pickOne')]);
      tx.update(components).set({ slaTarget: target }).where(eq(components.id, id)).run();
    }
    recordAudit(tx, ctx, {
      action: 'uptime.set_targets',
      entityType: 'site',
      entityId: null,
      before: { page: before.page, components: Object.fromEntries(before.components) },
      after: { page, components: Object.fromEntries(own) },
    });
    bumpChangeCounter(tx);
  });
}
