import type { Db } from '../../db/open';
import type { Config } from './config';

/** What every request handler needs: the database, the configuration and the clock. */
export interface AppContext {
  db: Db;
  config: Config;
  now: () => number;
}

const KEY = Symbol.for('shirase.app-context');
type Holder = { [KEY]?: AppContext };

/**
 * The server process creates the context once and registers it here; Astro's
 * bundle carries its own copy of this module, so the handle lives on
 * globalThis where both copies find it.
 */
export function registerAppContext(context: AppContext): void {
  (globalThis as Holder)[KEY] = context;
}

export function registeredAppContext(): AppContext | undefined {
  return (globalThis as Holder)[KEY];
}
