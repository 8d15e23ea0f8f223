import type { Db } from '../../db/open';
import type { Config } from './config';

/** What every request handler needs: the database, the configuration and the clock. */
export interface AppContext {
  db: Db;
  config: Config;
  now: () => number;
}
