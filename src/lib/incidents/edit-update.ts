import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { componentStatusChanges, incidentUpdates } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { bodyField, notInFuture, parseInput, timestampField } from '../validation';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';
import { assertVersion, assertWritten, versionField } from '../edit-version';
import { automaticText } from '../i18n/automatic-texts';
import { parseTranslations, serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';
import { fillPublishedText } from '../templates/fill-published';

export const editUpdateSchema = (now: number) =>
  z.object({
    body: bodyField.optional(),
    displayAt: timestampField.optional().refine(notInFuture(now), 'errors.field.correctionInFuture'),
    version: versionField,
    /** Replaces the update's texts in other languages; left out, they stay as they are. */
    translations: translationsSchema({ body: bodyField }),
  });

/**
 * Corrects an update's text or time. The component changes it made move with
 * it, and the incident's status is derived again, since a new time can change
 * which update is the latest. Each correction raises the update's version.
 */
export function editIncidentUpdate(db: Db, updateId: string, input: z.input<ReturnType<typeof editUpdateSchema>>, ctx: WriteContext): void {
  const data = parseInput(editUpdateSchema(ctx.now), input, 'correction');
  db.transaction((tx) => {
    const before = tx.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get();
    if (!before) throw notFound('update', updateId);
    const stored = () => ({
      version: before.version,
      values: { body: automaticText(before.bodyKey, 'en', before.body), displayAt: new Date(before.displayAt).toISOString() },
    });
    assertVersion(data.version, stored());
    // A system text stays a key (said in each reader's language) unless staff rewrote it.
    const keepKey = before.bodyKey !== null && (data.body === undefined || data.body === automaticText(before.bodyKey, 'en', before.body));
    const displayAt = data.displayAt ?? before.displayAt;
    // A corrected text is published again: its template variables are filled as on first publication.
    const text = keepKey
      ? { body: before.body }
      : fillPublishedText(
          tx,
          before.incidentId,
          {
            body: data.body ?? before.body,
            translations: data.translations === undefined ? parseTranslations(before.translations) : (data.translations as Translations),
            status: before.status,
            at: displayAt,
          },
          ctx.site,
        );
    const changes = {
      body: text.body,
      bodyKey: keepKey ? before.bodyKey : null,
      translations: !keepKey
        ? serializeTranslations(text.translations)
        : data.translations === undefined
          ? before.translations
          : serializeTranslations(data.translations as Translations),
      displayAt,
      updatedAt: ctx.now,
      version: before.version + 1,
    };
    assertWritten(
      tx
        .update(incidentUpdates)
        .set(changes)
        .where(and(eq(incidentUpdates.id, updateId), eq(incidentUpdates.version, before.version)))
        .run().changes,
      stored,
    );
    if (changes.displayAt !== before.displayAt) {
      tx.update(componentStatusChanges).set({ at: changes.displayAt }).where(eq(componentStatusChanges.incidentUpdateId, updateId)).run();
    }
    refreshIncident(tx, before.incidentId, ctx.now);
    recordAudit(tx, ctx, {
      action: 'incident.edit_update',
      entityType: 'incident_update',
      entityId: updateId,
      before: { body: before.body, bodyKey: before.bodyKey, translations: before.translations, displayAt: before.displayAt, version: before.version },
      after: { body: changes.body, bodyKey: changes.bodyKey, translations: changes.translations, displayAt: changes.displayAt, version: changes.version },
    });
    bumpChangeCounter(tx);
  });
}
