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
 * Each render thread registers its context here; Astro's bundle carries its
 * own copy of this module, so the handle lives on globalThis where both copies
 * find it. Requests bring their own context as locals, but a rewritten request
 * (`/ja/...` served by `/...`) reaches the middleware again without them.
 */
export function registerAppContext(context: AppContext): void {
  (globalThis as Holder)[KEY] = context;
}

export function registeredAppContext(): AppContext | undefined {
  return (globalThis as Holder)[KEY];
}
