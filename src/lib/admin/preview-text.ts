// The live preview beside an update's text shows what will be published: the
// template variables filled from what the form says now (the components
// picked, its times) and, on an incident's page, from the incident itself,
// in the language of the field being previewed.
import type { Db } from '../../../db/open';
import { namesInPageOrder } from '../components/load-components';
import { isLocale } from '../i18n/messages';
import { isPublicId } from '../ids';
import { renderMarkdown } from '../markdown/render';
import { isClosedStatus } from '../status/vocabulary';
import { fillForLocale, incidentFacts, type IncidentFacts, type SiteForText } from '../templates/fill-published';
import { componentChanges, localDateTime } from './form-input';

export interface PreviewRequest {
  markdown: string;
  /** The language of the field (a translation's `lang`); the site's language when absent. */
  lang?: string;
  /** The form's fields as typed, when the text is an update's. */
  fields?: Record<string, string>;
  /** The incident whose page the form is on. */
  incidentId?: string;
}

export function previewText(db: Db, site: SiteForText, request: PreviewRequest, now: number): string {
  if (!request.fields) return renderMarkdown(request.markdown);
  const form = new FormData();
  for (const [name, value] of Object.entries(request.fields)) form.append(name, value);
  return renderMarkdown(filledAsPublished(db, site, { ...request, form }, now));
}

/** An update's Markdown with the variables filled as publishing the form would fill them. */
export function filledAsPublished(db: Db, site: SiteForText, request: Omit<PreviewRequest, 'fields'> & { form: FormData }, now: number): string {
  const { form } = request;
  const status = form.get('status')?.toString() ?? '';
  // A time the form cannot read yet is left out of the preview; saving says what is wrong with it.
  const at = localDateTime(form, 'displayAt', site.timeZone, []) ?? now;
  const startedAt = localDateTime(form, 'startedAt', site.timeZone, []);
  // Components the form adds join those the incident already affects, as publishing will link them.
  const picked = componentChanges(form).map((c) => c.componentId);
  const known = request.incidentId && isPublicId(request.incidentId) ? incidentFacts(db, request.incidentId, status, at, picked) : undefined;
  const facts: IncidentFacts = known ?? {
    components: namesInPageOrder(db, picked),
    startedAt: startedAt ?? at,
    endedAt: isClosedStatus(status) ? at : null,
    at,
  };
  const locale = request.lang && isLocale(request.lang) ? request.lang : site.defaultLocale;
  return fillForLocale(request.markdown, facts, locale, site.timeZone);
}
