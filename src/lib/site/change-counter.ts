import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { siteState } from '../../../db/schema';

type Tx = Pick<Db, 'insert'>;

/**
 * Bumps the counter every public representation depends on. Called inside the
 * writing transaction, so a reader that sees the new counter sees the write.
 */
export function bumpChangeCounter(tx: Tx): void {
  tx.insert(siteState)
    .values({ key: 'change_counter', value: '1' })
    .onConflictDoUpdate({ target: siteState.key, set: { value: sql`cast(${siteState.value} as integer) + 1` } })
    .run();
  // When the site last changed, in milliseconds, for the API's page.updated_at.
  // It only ever moves forward, even if the clock is set back.
  const nowMs = sql`cast(unixepoch('subsec') * 1000 as integer)`;
  tx.insert(siteState)
    .values({ key: 'changed_at', value: sql`${nowMs}` })
    .onConflictDoUpdate({ target: siteState.key, set: { value: sql`max(cast(${siteState.value} as integer), ${nowMs})` } })
    .run();
}

/**
 * When anything public last changed: the time recorded with every write
 * (bumpChangeCounter), so one answer for every endpoint at one moment, and
 * never earlier than a previous answer. A database whose last write came
 * before that time was recorded answers with its latest stored change.
 */
export function siteChangedAt(db: Pick<Db, '$client'>): number {
  const recorded = db.$client.prepare("select cast(value as integer) from site_state where key = 'changed_at'").pluck().get() as number | undefined;
  if (recorded !== undefined) return recorded;
  return db.$client
    .prepare(
      `select max(
         coalesce((select max(updated_at) from components), 0),
         coalesce((select max(updated_at) from component_groups), 0),
         coalesce((select max(updated_at) from incidents), 0),
         coalesce((select max(created_at) from component_status_changes), 0)
       )`,
    )
    .pluck()
    .get() as number;
}

/**
 * The change counter, read with its statement prepared once: the server asks
 * on every write it hears of, from any process, and a few times more while a
 * commit becomes visible (each ask costs a few microseconds).
 */
export function changeCounterReader(db: Db): () => number {
  const statement = db.$client.prepare("select value from site_state where key = 'change_counter'").pluck();
  return () => Number(statement.get() ?? 0);
}
