import type { PostmortemSources } from '../postmortems/load-postmortems';
import { inArray, lte } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { loadIncidents, type IncidentView } from '../incidents/load-incidents';

import { actorFor, checked, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';
import type { SessionUser } from '../auth/sessions';
import { frontMatterSchema, slugFromTitle } from '../postmortems/front-matter';
import type { Postmortem } from '../postmortems/load-postmortems';
import { savePostmortem, type PostmortemInput } from '../postmortems/save-postmortem';
import { parseInput } from '../validation';

function readPostmortemForm(form: FormData): PostmortemInput {
  const action = text(form, 'action');
  const title = text(form, 'title');
  const date = text(form, 'date');
  return {
    originalFile: text(form, 'originalFile') || undefined,
    version: text(form, 'version') || undefined,
    title,
    // Left empty, the slug comes from the title, so a first preview needs nothing more than a title.
    slug: text(form, 'slug') || (title ? slugFromTitle(title, date) : ''),
    date,
    incidents: form.getAll('incidents').map(String),
    summary: text(form, 'summary'),
    locale: text(form, 'locale') || 'en',
    body: text(form, 'body'),
    action: action === 'publish' || action === 'unpublish' ? action : 'save',
    notify: checked(form, 'notify'),
  };
}

/** An unsaved postmortem built from the form, for the preview; invalid fields raise like saving would. */
function previewPostmortem(input: PostmortemInput): Postmortem {
  const { title, slug, date, incidents, summary, locale } = input;
  const front = parseInput(frontMatterSchema, { title, slug, date, incidents, summary, locale, published: null }, 'preview');
  return { ...front, file: input.originalFile ?? '', shipped: false, body: input.body, mtimeMs: 0, version: input.version ?? '' };
}

/**
 * Incidents to offer for linking: the recent ones that have begun, newest
 * first (a postmortem is about something that happened, so maintenance still
 * to come is left out), plus any already linked.
 */
export function postmortemCandidates(db: Db, linked: Iterable<string>, now: number): IncidentView[] {
  const recent = loadIncidents(db, lte(incidents.startedAt, now), { limit: 60, updates: 'none' });
  const missing = [...linked].filter((id) => !recent.some((r) => r.id === id));
  return missing.length ? [...recent, ...loadIncidents(db, inArray(incidents.id, missing), { updates: 'none' })] : recent;
}

/** Saves, publishes or unpublishes the postmortem, or previews it without saving. */
export function handlePostmortemForm(db: Db, sources: PostmortemSources, form: FormData, user: SessionUser, now: number): FormOutcome<Postmortem> {
  const input = readPostmortemForm(form);
  if (form.get('action') === 'preview') return { show: previewPostmortem(input) };
  if (input.action === 'unpublish') requireConfirmation(form, 'admin.postmortems.unpublishConfirm');
  const saved = savePostmortem(db, sources, input, { now, actor: actorFor(user) });
  const done = input.action === 'save' ? 'saved' : input.action === 'publish' ? 'published' : 'unpublished';
  return `/admin/postmortems/edit?file=${encodeURIComponent(saved.file)}&done=${done}`;
}
