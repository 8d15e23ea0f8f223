// The follow-ups API: list a postmortem's follow-ups, add one, change one,
// with the `incidents` scope (postmortems are the incident's last chapter).
// Bodies are snake_case like the rest of the API and checked by the same
// field validators as the admin form (follow-up-input.ts); edits are
// versioned like every other edit (`version` or If-Match).
import { z } from 'zod';
import { addFollowUp } from '../../followups/add-follow-up';
import { changeFollowUp } from '../../followups/change-follow-up';
import { isOverdue } from '../../followups/follow-up-dates';
import { followUpFields, newFollowUpSchema } from '../../followups/follow-up-input';
import { findFollowUp, followUpsOfReport, type FollowUpView } from '../../followups/load-follow-ups';
import { notFound, ShiraseError } from '../../errors';
import { isPublicId } from '../../ids';
import { loadPostmortems } from '../../postmortems/load-postmortems';
import type { ApiAnswer } from './answers';
import { parseBody, type ApiCall } from './endpoint';
import { versionOf, type WriteRoute } from './routes';
import './schemas';

const f = followUpFields.shape;

const texts = (field: typeof f.textEn, description: string) =>
  z.object({ en: field, ja: field }).partial().strict('errors.field.ruleLanguageUnknown').optional().openapi({ description });

const followUpBodyShape = {
  text: texts(f.textEn, 'What will be done, in English (`en`) and Japanese (`ja`); both are needed for a new follow-up'),
  owner_id: f.ownerId.openapi({
    description: 'A staff account id; null for nobody. A new follow-up is owned by the token’s creator unless this says otherwise.',
  }),
  due_on: f.dueOn.openapi({ description: "The due day, YYYY-MM-DD in the page's zone; the owner is reminded by email once it has passed" }),
  status: f.status.openapi({ description: '`planned`, `in_progress`, `done` or `dropped`' }),
  closed_on: f.closedOn.openapi({ description: 'The day it was done or dropped; today in the page’s zone when left out' }),
  reason: texts(f.reasonEn, 'Why it was dropped, in both languages; required when the status is `dropped`'),
  public: f.public.openapi({ description: 'Whether readers see it (default true)' }),
  notify: f.notify.openapi({
    description:
      'If this leaves every public follow-up of the report done or dropped, email the incident’s subscribers (once per report, each in their language)',
  }),
};

const FOLLOW_UP_EXAMPLE = {
  postmortem: 'renewal-outage',
  text: {
    en: 'Build a test environment with production’s database, application and cache servers, and load-test the renewal there',
    ja: '本番と同じ仕様のデータベース・アプリケーション・キャッシュサーバーで検証環境を構築し、負荷試験を行う',
  },
  due_on: '2018-07-31',
  status: 'in_progress' as const,
  public: true,
};

const newFollowUpBody = z
  .object({
    postmortem: z
      .string({ required_error: 'errors.field.pickPostmortem', invalid_type_error: 'errors.field.pickPostmortem' })
      .openapi({ description: 'The slug of the postmortem (any of its languages)' }),
    ...followUpBodyShape,
    text: z
      .object({ en: f.textEn.unwrap(), ja: f.textJa.unwrap() }, { required_error: 'errors.field.followUpTextRequired' })
      .strict('errors.field.ruleLanguageUnknown')
      .openapi({ description: 'What will be done, in English (`en`) and Japanese (`ja`)' }),
    due_on: newFollowUpSchema.shape.dueOn.openapi({
      description: "The due day, YYYY-MM-DD in the page's zone; the owner is reminded by email once it has passed",
    }),
  })
  .openapi('NewFollowUp', { example: FOLLOW_UP_EXAMPLE, required: ['postmortem', 'text', 'due_on'] });

const followUpEditBody = z
  .object({
    ...followUpBodyShape,
    version: z.unknown().openapi({
      type: 'integer',
      minimum: 1,
      description:
        'Optional. The version this edit started from; if the follow-up changed since, nothing is changed and the answer is 409 CONFLICT with `current_version`. Without it (or an If-Match header) the edit applies whatever happened in between.',
    }),
  })
  .openapi('FollowUpEdit', { example: { status: 'done', closed_on: '2018-08-20', notify: true, version: 3 } });

type Body = z.output<z.ZodObject<typeof followUpBodyShape>>;

/** The body's names as the verbs know them; what was left out stays out, so an edit keeps it. */
function verbInput(b: Body) {
  return Object.fromEntries(
    Object.entries({
      textEn: b.text?.en,
      textJa: b.text?.ja,
      ownerId: b.owner_id,
      dueOn: b.due_on,
      status: b.status,
      closedOn: b.closed_on,
      reasonEn: b.reason?.en,
      reasonJa: b.reason?.ja,
      public: b.public,
      notify: b.notify,
    }).filter(([, v]) => v !== undefined),
  );
}

/** A follow-up as the API says it. */
function followUpObject(call: ApiCall, followUp: FollowUpView) {
  return {
    id: followUp.id,
    postmortem: followUp.postmortemSlug,
    text: followUp.text,
    owner: followUp.owner,
    due_on: followUp.dueOn,
    status: followUp.status,
    closed_on: followUp.closedOn,
    reason: followUp.reason,
    public: followUp.public,
    overdue: isOverdue(followUp, call.now, call.config.timeZone),
    version: followUp.version,
    created_at: new Date(followUp.createdAt).toISOString(),
    updated_at: new Date(followUp.updatedAt).toISOString(),
  };
}

function followUpAnswer(call: ApiCall, id: string, status: number, notified: boolean): ApiAnswer {
  return { status, body: { ...followUpObject(call, findFollowUp(call.db, id)!), subscribers_told: notified } };
}

export const FOLLOW_UP_EXAMPLE_ANSWER = {
  id: 'f4k2m9q1x7c3',
  ...FOLLOW_UP_EXAMPLE,
  owner: { id: 'u1a2b3c4d5e6', email: 'ops@example.com', name: 'Ops lead' },
  closed_on: null,
  reason: null,
  overdue: false,
  version: 1,
  created_at: '2018-06-22T03:00:00.000Z',
  updated_at: '2018-06-22T03:00:00.000Z',
};

export const FOLLOW_UP_ROUTES = {
  listFollowUps: {
    method: 'GET',
    path: '/follow-ups',
    scope: 'incidents',
    summary: "List a postmortem's follow-ups (staff-only ones too), by due day",
    query: { postmortem: 'Required: the slug of the postmortem (any of its languages; the same report in another language has the same follow-ups)' },
    status: 200,
    answers: 'followUps',
    handle(call) {
      const slug = call.query.get('postmortem');
      if (!slug) throw new ShiraseError('BAD_REQUEST', 'errors.api.postmortemQuery', { hint: 'errors.api.postmortemQuery.hint' });
      const library = loadPostmortems(call.config.postmortems);
      const postmortem = library.bySlug.get(slug);
      if (!postmortem) throw notFound('postmortem', slug);
      return {
        status: 200,
        body: { postmortem: slug, follow_ups: followUpsOfReport(call.db, library, postmortem, { publicOnly: false }).map((x) => followUpObject(call, x)) },
      };
    },
  },
  addFollowUp: {
    method: 'POST',
    path: '/follow-ups',
    scope: 'incidents',
    summary: 'Add a follow-up to a postmortem',
    body: newFollowUpBody,
    status: 201,
    answers: 'followUp',
    handle(call) {
      const b = parseBody(newFollowUpBody, call.body, 'followUp');
      const input = verbInput(b);
      const { id, notified } = addFollowUp(
        call.db,
        call.config.postmortems,
        { ...input, postmortem: b.postmortem, textEn: b.text.en, textJa: b.text.ja, dueOn: b.due_on },
        call.ctx,
      );
      return followUpAnswer(call, id, 201, notified);
    },
  },
  changeFollowUp: {
    method: 'PATCH',
    path: '/follow-ups/{id}',
    scope: 'incidents',
    summary: 'Change a follow-up: only the fields sent change',
    body: followUpEditBody,
    ifMatch: true,
    status: 200,
    answers: 'followUp',
    handle(call) {
      const id = call.params.id!;
      if (!isPublicId(id) || !findFollowUp(call.db, id)) throw notFound('followUp', id);
      const b = parseBody(followUpEditBody, call.body, 'followUp');
      const { notified } = changeFollowUp(call.db, call.config.postmortems, id, { ...verbInput(b), version: versionOf(call) }, call.ctx);
      return followUpAnswer(call, id, 200, notified);
    },
  },
} satisfies Record<string, WriteRoute>;
