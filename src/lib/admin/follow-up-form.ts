// The follow-up forms on a postmortem's admin page, named by their `intent`:
// adding one, and changing one. Fields are read into the verbs' names and
// checked by the same schemas the write API uses.
import type { Db } from '../../../db/open';
import type { Config } from '../config';
import { readVersion } from '../edit-version';
import { addFollowUp } from '../followups/add-follow-up';
import { changeFollowUp } from '../followups/change-follow-up';
import { followUpFields, newFollowUpSchema } from '../followups/follow-up-input';
import type { WriteContext } from '../write-context';
import { checked, formInput, optionalText, text } from './form-input';

const INTENTS = ['followup_add', 'followup_change'] as const;

/** Whether the submission is one of the follow-up forms (the rest of the page is the report's own form). */
export function isFollowUpIntent(intent: string | undefined): boolean {
  return (INTENTS as readonly string[]).includes(intent ?? '');
}

function fields(form: FormData) {
  return {
    textEn: text(form, 'textEn'),
    textJa: text(form, 'textJa'),
    ownerId: optionalText(form, 'ownerId') ?? null,
    dueOn: text(form, 'dueOn'),
    status: text(form, 'status'),
    closedOn: optionalText(form, 'closedOn'),
    reasonEn: optionalText(form, 'reasonEn'),
    reasonJa: optionalText(form, 'reasonJa'),
    public: checked(form, 'public'),
    notify: checked(form, 'notify'),
  };
}

/** Adds or changes a follow-up of the postmortem in `file`, and says where to go next. */
export function handleFollowUpForm(db: Db, config: Config, form: FormData, ctx: WriteContext, postmortem: { file: string; slug: string }): string {
  const back = (done: string) => `/admin/postmortems/edit?file=${encodeURIComponent(postmortem.file)}&done=${done}#follow-ups`;
  const site: WriteContext = { ...ctx, site: config };
  if (text(form, 'intent') === 'followup_add') {
    const input = formInput(newFollowUpSchema, { ...fields(form), postmortem: postmortem.slug }, 'followUp');
    const { notified } = addFollowUp(db, config.postmortems, input, site);
    return back(notified ? 'followUpTold' : 'followUpAdded');
  }
  const input = formInput(followUpFields, { ...fields(form), version: readVersion(text(form, 'version')) }, 'followUp');
  const { notified } = changeFollowUp(db, config.postmortems, text(form, 'followUpId'), input, site);
  return back(notified ? 'followUpTold' : 'followUpSaved');
}
