// What a follow-up is made of, checked once for the admin form and the write
// API alike: the form reads its fields into these names, the API maps its
// snake_case JSON onto them, and the verbs parse with these schemas.
import { z } from 'zod';
import { versionField } from '../edit-version';
import { hasControlCharacters } from '../control-characters';
import { FOLLOW_UP_STATUSES } from './follow-up-dates';

export const MAX_FOLLOW_UP_CHARS = 500;
export const MAX_REASON_CHARS = 1000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day, YYYY-MM-DD, that exists. */
const dayField = z
  .string({ required_error: 'errors.field.dueRequired', invalid_type_error: 'errors.field.dateOnlyFormat' })
  .trim()
  .refine((day) => {
    if (!DAY.test(day)) return false;
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return y >= 2000 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, 'errors.field.dateOnlyFormat');

/** One line of text a reader sees: what was promised, or why it was dropped. */
const lineField = (required: 'errors.field.followUpTextRequired' | 'errors.field.reasonRequired', max: number) =>
  z
    .string({ required_error: required, invalid_type_error: required })
    .trim()
    .min(1, required)
    .max(max, 'errors.field.followUpTooLong')
    .refine((text) => !hasControlCharacters(text), 'errors.field.controlCharacters');

/** Every field, each optional: an edit names only what it changes. */
export const followUpFields = z.object({
  textEn: lineField('errors.field.followUpTextRequired', MAX_FOLLOW_UP_CHARS).optional(),
  textJa: lineField('errors.field.followUpTextRequired', MAX_FOLLOW_UP_CHARS).optional(),
  /** A staff account's id; null: nobody yet. */
  ownerId: z.string({ invalid_type_error: 'errors.field.pickOwner' }).nullable().optional(),
  dueOn: dayField.optional(),
  status: z.enum(FOLLOW_UP_STATUSES, { errorMap: () => ({ message: 'errors.field.pickFollowUpStatus' }) }).optional(),
  /** The day it was done or dropped; today in the page's zone when not given. */
  closedOn: dayField.optional(),
  reasonEn: lineField('errors.field.reasonRequired', MAX_REASON_CHARS).optional(),
  reasonJa: lineField('errors.field.reasonRequired', MAX_REASON_CHARS).optional(),
  public: z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).optional(),
  /** Tell the incident's subscribers, once, if this change leaves every public follow-up done or dropped. */
  notify: z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).optional(),
  version: versionField,
});

export const newFollowUpSchema = followUpFields.extend({
  postmortem: z
    .string({ required_error: 'errors.field.pickPostmortem', invalid_type_error: 'errors.field.pickPostmortem' })
    .min(1, 'errors.field.pickPostmortem'),
  textEn: followUpFields.shape.textEn.unwrap(),
  textJa: followUpFields.shape.textJa.unwrap(),
  dueOn: dayField,
});

export type FollowUpChange = z.input<typeof followUpFields>;
export type NewFollowUp = z.input<typeof newFollowUpSchema>;
