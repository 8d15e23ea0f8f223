import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { notFound } from '../errors';
import { closingStatus, type ComponentStatus } from '../status/vocabulary';
import { postIncidentUpdate } from './post-update';
import { resolveIncidentSchema, type ResolveIncidentInput } from './input';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { componentStatusAt } from './log';
import { t } from '../i18n/messages';
import type { AutomaticText } from '../i18n/automatic-texts';

export type ResolveInput = ResolveIncidentInput & {
  /** Set when the system writes the text (`body` is then ignored); see insertUpdate. */
  bodyKey?: AutomaticText;
};

/** Resolves an incident (or completes a maintenance), returning its components to operational unless told otherwise. */
export function resolveIncident(db: Db, incidentId: string, input: ResolveInput, ctx: WriteContext): { updateId: string } {
  // One transaction (the inner one becomes a savepoint), so the statuses read here are the ones replaced.
  return db.transaction(() => resolveWithin(db, incidentId, input, ctx));
}

function resolveWithin(db: Db, incidentId: string, { bodyKey, ...given }: ResolveInput, ctx: WriteContext): { updateId: string } {
  const input = parseInput(resolveIncidentSchema(ctx.now), given, 'resolution');
  const incident = db.select({ kind: incidents.kind }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!incident) throw notFound('incident', incidentId);
  const at = input.displayAt ?? ctx.now;
  const affected = db
    .select({ componentId: incidentComponents.componentId })
    .from(incidentComponents)
    .where(eq(incidentComponents.incidentId, incidentId))
    .all();
  const chosen = new Map(input.components.map((c) => [c.componentId, c.status]));
  const changes = affected
    .map(({ componentId }) => ({ componentId, status: chosen.get(componentId) ?? ('operational' as ComponentStatus) }))
    .filter((c) => componentStatusAt(db, c.componentId, at) !== c.status);
  for (const [componentId, status] of chosen) {
    if (!changes.some((c) => c.componentId === componentId)) changes.push({ componentId, status });
  }
  return postIncidentUpdate(
    db,
    incidentId,
    {
      status: closingStatus(incident.kind),
      // A system text is checked as its English sentence would be; only its key is stored.
      body: bodyKey ? t('en', `auto.${bodyKey}`) : (input.body ?? ''),
      displayAt: input.displayAt,
      notify: input.notify,
      components: changes,
      translations: input.translations,
    },
    ctx,
    { bodyKey },
  );
}
