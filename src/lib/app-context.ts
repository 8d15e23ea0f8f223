import type { Db } from '../../db/open';
import type { Config } from './config';
import type { PageScope } from './pages/page-scope';

/** What every request handler needs: the database, the configuration and the clock. */
export interface AppContext {
  db: Db;
  /** The configuration, with the site name, time zone and default language staff set under Admin → Settings. */
  config: Config;
  /** The configuration as the environment gives it, before Admin → Settings (the defaults the settings page names). */
  environment: Config;
  now: () => number;
  /** The status page the request is for (by its Host): what the public views and answers show. */
  page: PageScope;
}
