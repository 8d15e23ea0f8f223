// Using a template in a form without script: the server fills the fields in,
// but only asks when something has been typed, and never replaces it unasked.
import { fieldIssue } from '../errors';
import { LOCALES, type Locale } from '../i18n/messages';
import type { FilledTemplate } from '../templates/filled-templates';
import { text, throwIfIssues } from './form-input';

export type TemplateStep =
  /** Asks before replacing: the typed text stays in the form, the template is shown beside it. */
  | { ask: FilledTemplate }
  /** The fields to put in the form: the template's status and texts. */
  | { fill: Record<string, string> };

/** Whether the submitted form is a template request (`apply` = `template`, `replace` or `keep`). */
export function templateRequest(form: FormData): 'template' | 'replace' | 'keep' | undefined {
  const apply = text(form, 'apply');
  return apply === 'template' || apply === 'replace' || apply === 'keep' ? apply : undefined;
}

/** The template step for a form whose text field is `field` (its translations are `field:ja`…). */
export function applyTemplate(form: FormData, templates: readonly FilledTemplate[], field: string, defaultLocale: Locale): TemplateStep | undefined {
  const request = templateRequest(form);
  // No template chosen: the form comes back as typed. (Enter in a field presses the form's first button, which may be this one.)
  if (!request || request === 'keep' || text(form, 'template') === '') return undefined;
  const chosen = templates.find((tpl) => tpl.id === text(form, 'template'));
  if (!chosen) throwIfIssues([fieldIssue('template', 'errors.field.pickTemplate')], 'update');
  const template = chosen!;
  const others = LOCALES.filter((l) => l !== defaultLocale);
  const typed = [field, ...others.map((l) => `${field}:${l}`)].some((name) => text(form, name).trim() !== '');
  if (typed && request !== 'replace') return { ask: template };
  return {
    fill: { status: template.status, [field]: template.body, ...Object.fromEntries(others.map((l) => [`${field}:${l}`, template.translations[l] ?? ''])) },
  };
}
