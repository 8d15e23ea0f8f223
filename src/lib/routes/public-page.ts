/**
 * What a parameter of a public page must name for the page to exist. Made-up
 * values are answered with the one cached 404, without a render: an id or
 * slug of the wrong shape at once, a well-shaped one after a primary-key
 * lookup (see src/server/public-index.ts).
 * - `incident`, `component`, `postmortem`: an id or slug of one.
 * - `live-component`: a component that is not archived.
 * - `history-page`: a page number of the history (of the `component`
 *   parameter's history when the page has one); a page number that is not a
 *   number is page 1.
 * - a list of words: one of them.
 */
export type ParamKind = 'incident' | 'component' | 'live-component' | 'postmortem' | 'history-page' | readonly string[];

/**
 * A public page's cache policy, exported by the page as `publicPage`, beside
 * its code. A page that exports one is rendered once per change and served
 * from memory to every reader; a page without one (staff screens, the write
 * API, subscription forms) is rendered for each request. The serving thread
 * reads these from a manifest written at build time
 * (src/integrations/route-manifest.ts), so a public page added under
 * src/pages needs no edit in src/server. Data only: it is written to JSON.
 *
 * Written `export const publicPage: PublicPage = { … };`, not with
 * `satisfies`: Astro's compiler lifts a frontmatter export that spans lines
 * out of the component without a trailing `satisfies …`.
 */
export interface PublicPage {
  /** Changes with the clock as well as with data, so it is rendered again when a minute old. */
  timeSensitive?: boolean;
  /** A page in the reader's language: `/ja/...` explicitly, or chosen by Accept-Language without a prefix. */
  localizable?: boolean;
  /** Has a variant per language under `/ja/...`, but the unprefixed address is always in the site's language (feeds, calendars). */
  prefixable?: boolean;
  /** Readable from any origin: the JSON API, badges and feeds are used elsewhere. */
  cors?: boolean;
  /** May be shown in a frame on another site; every other page refuses framing. */
  frameable?: boolean;
  /**
   * Rendered as the server starts, so the first visitors find it ready:
   * `true`, or the route parameters to render it with.
   */
  startup?: true | Readonly<Record<string, string>>;
  /** Rendered again straight after every change rather than when next read. */
  frontPage?: boolean;
  /**
   * Route and query parameters the page depends on, with what each must
   * name. Query parameters named here are part of the cache key (in this
   * order, empty ones left out); every other query parameter is dropped, so
   * `/?utm_source=x` is `/`.
   */
  params?: Readonly<Record<string, ParamKind>>;
  /**
   * Query parameters that make the page personal: with any of them given
   * (not blank), it is rendered for its one reader and never kept, as every
   * string a stranger can type would otherwise be a page in memory.
   */
  personal?: readonly string[];
  /**
   * The address that spells a query parameter in the path, `[name]`
   * standing for its value: when it is the one query parameter the key
   * keeps, the key is that address (`/history?page=2` is
   * `/history/page/2`), as links in the page follow the key and a static
   * copy has a file for the path only.
   */
  spelledAs?: Readonly<Record<string, string>>;
  /**
   * Another address showing the same representation, `[name]` standing for
   * a route parameter; query parameters are carried over. The two share one
   * cache entry and the other address's policy.
   */
  sameAs?: string;
}
