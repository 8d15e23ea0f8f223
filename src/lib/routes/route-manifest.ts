import type { PublicPage } from './public-page';

/** One route of the site, in the order Astro tries them. */
export interface ManifestRoute {
  /** Astro's spelling of the route (`/incidents/[id]`), used to fill in parameters. */
  route: string;
  /** The page file, from the project's root (`src/pages/incidents/[id].astro`). */
  file: string;
  /** Astro's own regular expression for the route's paths (its source). */
  pattern: string;
  /** The names of the route's parameters, in the order of the expression's groups (`...rest` for a rest parameter). */
  params: string[];
  /** The page's cache policy, or null for a page rendered for each request. */
  page: PublicPage | null;
}

export interface RouteManifest {
  routes: ManifestRoute[];
}

/** The file the build writes beside dist/client and dist/server, and the serving thread reads. */
export const ROUTE_MANIFEST_FILE = 'public-routes.json';

const FIELDS = new Set<string>([
  'timeSensitive',
  'localizable',
  'prefixable',
  'cors',
  'frameable',
  'startup',
  'frontPage',
  'params',
  'personal',
  'spelledAs',
  'sameAs',
]);
const SUBJECTS = new Set<string>(['incident', 'component', 'live-component', 'postmortem', 'history-page']);

/**
 * Checks a page's declaration, so a misspelt field fails the build instead of
 * quietly turning into a page rendered for each request.
 */
export function checkPublicPage(where: string, declared: unknown): PublicPage {
  if (typeof declared !== 'object' || declared === null) throw new Error(`${where}: publicPage must be an object.`);
  for (const field of Object.keys(declared)) if (!FIELDS.has(field)) throw new Error(`${where}: publicPage has no field "${field}".`);
  const page = declared as PublicPage;
  for (const [name, kind] of Object.entries(page.params ?? {})) {
    if (typeof kind === 'string' ? !SUBJECTS.has(kind) : !Array.isArray(kind) || !kind.every((word) => typeof word === 'string'))
      throw new Error(`${where}: publicPage.params.${name} names no kind of subject.`);
  }
  return JSON.parse(JSON.stringify(page)) as PublicPage;
}

/**
 * The manifest of a build: every route Astro resolved, in its order of
 * priority, with the declaration its page exports (see public-page.ts).
 */
export function buildRouteManifest(
  routes: readonly { route: string; pattern: RegExp; params: readonly string[]; entrypoint: string }[],
  declarationOf: (entrypoint: string) => unknown,
): RouteManifest {
  return {
    routes: routes.map(({ route, pattern, params, entrypoint }) => {
      const declared = declarationOf(entrypoint);
      return {
        route,
        file: entrypoint,
        pattern: pattern.source,
        params: [...params],
        page: declared === undefined ? null : checkPublicPage(entrypoint, declared),
      };
    }),
  };
}
