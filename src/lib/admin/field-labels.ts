// Field names as a person reads them, for the error summary above a form: the
// form's own label ("Message (日本語)"), never the name the code gives the field.
import type { FieldIssue } from '../errors';
import { say } from '../errors';
import { isLocale, LANGUAGE_NAMES, t, type Locale, type MessageKey } from '../i18n/messages';

const LABELS: Record<string, MessageKey> = {
  name: 'admin.field.name',
  groupName: 'admin.field.name',
  body: 'admin.field.body',
  resolveBody: 'admin.field.body',
  cancelBody: 'admin.field.body',
  status: 'admin.field.status',
  displayAt: 'admin.field.displayAt',
  resolveAt: 'admin.field.displayAt',
  startedAt: 'admin.field.startedAt',
  components: 'admin.field.components',
  componentIds: 'admin.field.components',
  template: 'admin.field.template',
  impact: 'admin.field.impact',
  description: 'admin.field.description',
  email: 'admin.field.email',
  password: 'admin.field.password',
  title: 'admin.field.title',
  slug: 'admin.field.slug',
  hosts: 'admin.field.hosts',
  defaultLocale: 'admin.field.language',
  private: 'admin.field.private',
  summary: 'admin.field.summary',
  note: 'admin.field.note',
  scheduledFor: 'admin.field.scheduledFor',
  scheduledUntil: 'admin.field.scheduledUntil',
  version: 'admin.field.version',
  csv: 'admin.field.list',
  mode: 'admin.import.mode',
  matchers: 'admin.field.matchers',
  tryLabels: 'admin.field.labels',
  incidentStatus: 'admin.field.incidentStatus',
  action: 'admin.field.action',
  recovery: 'admin.field.recovery',
  recoveryStatus: 'admin.field.recoveryStatus',
  enabled: 'admin.field.enabled',
  texts: 'admin.field.texts',
  'texts.name': 'admin.field.incidentName',
  'texts.body': 'admin.field.incidentBody',
  'texts.recovery': 'admin.field.recoveryBody',
  kind: 'checks.field.kind',
  target: 'checks.field.target',
  intervalSeconds: 'checks.field.interval',
  timeoutSeconds: 'checks.field.timeout',
  expectedStatus: 'checks.field.expectedStatus',
  keyword: 'checks.field.keyword',
  certWarnDays: 'checks.field.certWarnDays',
  failuresBefore: 'checks.field.failuresBefore',
  labels: 'checks.field.labels',
  reason: 'admin.uptime.reason',
  from: 'sla.from',
  to: 'sla.to',
  componentId: 'sla.component',
  page: 'admin.uptime.pageTarget',
  sla: 'sla.target',
};

/**
 * The label of a field as an issue names it: `body`, `body-<update id>`,
 * `translations.ja.body`, `components.0.status`… A field this list does not
 * know has none: its issue is about the form as a whole, and is said alone
 * rather than under a code name.
 */
function fieldLabel(locale: Locale, field: string): string | undefined {
  const parts = field.split('.');
  // An alert rule's texts are per language too: `texts.ja.body`.
  const language = (parts[0] === 'translations' || parts[0] === 'texts') && parts[1] && isLocale(parts[1]) ? parts[1] : undefined;
  const base = (language ? (parts[0] === 'texts' ? `texts.${parts[2]}` : parts[2]) : parts[0]) ?? '';
  // Per-row fields carry the row's id: `body-k3j…`, `displayAt-k3j…`.
  const key = LABELS[base] ?? LABELS[base.replace(/-[0-9a-z]+$/, '')];
  if (!key) return undefined;
  const label = t(locale, key);
  return language ? t(locale, 'admin.field.inLanguage', { label, language: LANGUAGE_NAMES[language] }) : label;
}

/** Each issue as "Label: what to fix" (or just what to fix, for the form as a whole), in the reader's language. */
export function fieldSummary(locale: Locale, issues: readonly FieldIssue[]): string[] {
  return issues.map((issue) => {
    const label = fieldLabel(locale, issue.field);
    return label ? `${label}: ${say(locale, issue)}` : say(locale, issue);
  });
}
