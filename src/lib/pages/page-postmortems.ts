// Which postmortems a status page shows: a report belongs where the incidents it explains are.
import { and, inArray } from 'drizzle-orm';
import { incidents } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import type { PostmortemLibrary } from '../postmortems/load-postmortems';
import { incidentsOnPage, type PageScope } from './page-scope';

/**
 * The library as a page shows it: the reports about an incident on the page
 * (a report about no incident is the site's, on the default page), so its
 * list, its commitments, its feeds and a report's own address leave out
 * another page's. Undefined (no page named) is the whole library.
 */
export function postmortemsOnPage(db: Queryable, library: PostmortemLibrary, page: PageScope | undefined): PostmortemLibrary {
  if (!page) return library;
  const named = [...new Set(library.all.flatMap((p) => p.incidents))];
  const here = new Set(
    named.length === 0
      ? []
      : db
          .select({ id: incidents.id })
          .from(incidents)
          .where(and(inArray(incidents.id, named), incidentsOnPage(page)))
          .all()
          .map((r) => r.id),
  );
  const shown = (p: { incidents: readonly string[] }) => (p.incidents.length === 0 ? page.isDefault : p.incidents.some((id) => here.has(id)));
  const all = library.all.filter(shown);
  return {
    all,
    problems: library.problems,
    bySlug: new Map(all.map((p) => [p.slug, p])),
    byIncident: new Map([...library.byIncident].filter(([id]) => here.has(id)).map(([id, list]) => [id, list.filter(shown)])),
  };
}
