import { z } from 'zod';
import { hasControlCharacters } from '../control-characters';
import { MAX_BODY_CHARS, timestampField, withoutControls } from '../validation';
import { LOCALES } from '../i18n/messages';
import { componentIdField, componentStatusField, incidentImpactField, incidentStatusField, type OpenIncidentInput } from '../incidents/input';

/**
 * What a draft keeps: the new-incident form's input, unfinished. Only sizes
 * and shapes are checked here (an empty name, a date in the future are
 * fine while writing); openIncidentSchema checks the rest when it is published.
 */
export const draftInputSchema = z.object({
  name: z
    .string()
    .max(200, 'errors.field.nameTooLong')
    .refine((name) => !hasControlCharacters(name), 'errors.field.controlCharacters')
    .default(''),
  status: incidentStatusField.default('investigating'),
  body: withoutControls(z.string().max(MAX_BODY_CHARS, 'errors.field.bodyTooLong')).default(''),
  components: z
    .array(z.object({ componentId: componentIdField, status: componentStatusField }))
    .max(500)
    .default([]),
  impact: incidentImpactField.optional(),
  displayAt: timestampField.optional(),
  startedAt: timestampField.optional(),
  backfilled: z.boolean().default(false),
  translations: z.record(z.enum(LOCALES), z.record(z.enum(['name', 'body']), z.string().max(MAX_BODY_CHARS, 'errors.field.bodyTooLong'))).optional(),
});
export type DraftInput = z.input<typeof draftInputSchema>;
export type StoredDraftInput = z.output<typeof draftInputSchema>;

/** A stored draft as the input openIncident takes; whether to notify is asked at publishing, never stored. */
export function draftToIncidentInput(draft: StoredDraftInput, notify: boolean): OpenIncidentInput {
  return { ...draft, notify };
}
