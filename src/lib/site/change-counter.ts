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
