// What each outbox row sends: an email in the subscriber's language, or a
// signed JSON body for a webhook. Built again on every attempt from the same
// rows, so a retry sends exactly what the first attempt would have.
import { createHmac } from 'node:crypto';
import webPush from 'web-push';
import { and, count, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import {
  alertGroups,
  alerts as alertRows,
  incidentDrafts,
  incidents as incidentsTable,
  notificationEvents,
  pushSubscriptions,
  subscribers,
  users,
  viewerLinks,
  webhooks,
  type outbox,
} from '../../../db/schema';
import { findRule } from '../alerts/rule';
import { isTimeZone, type Config } from '../config';
import { isLocale, t, type Locale } from '../i18n/messages';
import { formatDateTime, formatDuration, formatLongDate, zoneAbbreviation } from '../i18n/format';
import { dayInstant } from '../followups/follow-up-dates';
import { findFollowUp, publicFollowUpsAsOf, type FollowUpView } from '../followups/load-follow-ups';
import { postmortemTitleUnlabelled } from '../postmortems/postmortem-link-text';
import { loadPostmortems, otherLanguages } from '../postmortems/load-postmortems';
import type { UpdateStatus } from '../status/vocabulary';
import { loadIncident, type IncidentView, type UpdateView } from '../incidents/load-incidents';
import { compareTimeline } from '../status/incident-status';
import { CONFIRM_LINK_HOURS } from './subscriptions';
import { siteSecret, signToken } from './signed-tokens';
import type { EventKind } from './enqueue';
import { componentTone, mailHtml, mailText, updateTone, type MailBlock, type MailDocument } from './email-render';
import { chatBody, pushPayload, type ChatKind } from './chat-message';
import type { VapidKeys } from './browser-push';
import { isStaffEvent } from './enqueue-staff';
import { loadPageScope, withPageSettings, type PageScope } from '../pages/page-scope';
import { VIEWER_LINK_MINUTES, viewerLinkToken } from '../viewers/viewer-access';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
  /** RFC 2919 List-Id, written by nodemailer, which quotes or encodes the site's name as the header needs. */
  list?: { id: { url: string; comment: string } };
}

/** An HTTP POST to a webhook, a chat platform or a browser's push service (whose body is encrypted bytes). */
export interface WebhookMessage {
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

type OutboxRow = typeof outbox.$inferSelect;

/** Header values never carry line breaks or control characters, whatever staff typed. */
function headerSafe(text: string, max = 180): string {
  const clean = text
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The text of the status an email announces, the same in its subject and its body. */
const statusText = (locale: Locale, status: UpdateStatus) => t(locale, `status.update.${status}`);

/**
 * One subject for every mail about an incident, and one for a maintenance:
 * mail programs thread by subject as well as by References, so the status
 * each mail announces is its first line, not part of its subject.
 */
function subjectFor(locale: Locale, siteName: string, kind: EventKind, name: string): string {
  const incident = t(locale, 'mail.subject.incident', { name });
  const maintenance = t(locale, 'mail.subject.maintenance', { name });
  const line = {
    confirm: t(locale, 'mail.subject.confirm'),
    manage_link: t(locale, 'mail.subject.manageLink'),
    incident_opened: incident,
    incident_updated: incident,
    incident_resolved: incident,
    maintenance_scheduled: maintenance,
    maintenance_reminder: maintenance,
    maintenance_rescheduled: maintenance,
    maintenance_started: maintenance,
    maintenance_completed: maintenance,
    // The subject says "Postmortem published" itself: a title that starts with the word would say it twice.
    postmortem_published: t(locale, 'mail.subject.postmortem', { name: postmortemTitleUnlabelled(name) }),
    followups_completed: t(locale, 'mail.subject.followUpsDone', { name: postmortemTitleUnlabelled(name) }),
    chat_confirm: t(locale, 'chat.confirm.title', { site: siteName }),
    viewer_link: t(locale, 'mail.subject.viewerLink', { site: siteName }),
  }[kind];
  return headerSafe(`[${siteName}] ${line}`);
}

interface EmailParts {
  config: Config;
  locale: Locale;
  kind: EventKind;
  incident: IncidentView | undefined;
  update: UpdateView | undefined;
  /** The postmortem a postmortem event announces, in the subscriber's language when staff wrote one. */
  postmortem?: { slug: string; title: string; summary: string; locale: string };
  /** The report's public follow-ups, for the mail that says every one is done or dropped. */
  followUps?: FollowUpView[];
  /** The site's address with the subscriber's language prefix, for every link into the site. */
  siteLink: string;
  /** The reader's zone for the times the mail gives; the site's when they have none. */
  timeZone?: string | null;
  manageUrl: string;
  unsubscribeUrl: string;
  confirmUrl?: string;
  /** A confirmation asked for by the site when staff imported the address, not by the reader. */
  invited?: boolean;
}

/**
 * The incident's status when `update` was written, if the update is a note
 * about an earlier time: dated before an update that already existed then
 * (it is placed under it in the timeline, so it changes no status). Decided
 * from what existed when it was written, so a later update does not turn an
 * ordinary update's mail into a note on a retry.
 */
function statusWhenNoteWasWritten(incident: IncidentView, update: UpdateView): UpdateStatus | undefined {
  let latest: UpdateView | undefined;
  for (const u of incident.updates) if (u.id !== update.id && u.createdAt <= update.createdAt && (!latest || compareTimeline(u, latest) > 0)) latest = u;
  return latest && compareTimeline(latest, update) > 0 ? latest.status : undefined;
}

/** Subject, text and HTML of one email: the single place emails are written, for sending and for previews. */
function renderEmail(p: EmailParts): { subject: string; text: string; html: string } {
  const { doc, subject } = notificationDocument(p);
  return { subject, text: mailText(doc), html: mailHtml(doc) };
}

/** What one notification says, as a document that email and chat messages are both written from. */
function notificationDocument(p: EmailParts): { doc: MailDocument; subject: string } {
  const { config, locale, kind, incident, update } = p;
  const zone = p.timeZone && isTimeZone(p.timeZone) ? p.timeZone : config.timeZone;
  const when = (ms: number) => `${formatDateTime(ms, locale, zone)} ${zoneAbbreviation(ms, zone)} (${zone})`;
  const blocks: MailBlock[] = [];
  let headline = '';
  // The status shown is the one of the update this email announces (a reminder has none: the window's own status).
  let status: UpdateStatus | undefined;
  if (kind === 'confirm') {
    headline = t(locale, 'mail.subject.confirm');
    blocks.push({ kind: 'paragraph', text: t(locale, p.invited ? 'mail.confirm.invitedIntro' : 'mail.confirm.intro', { site: config.siteName }) });
    blocks.push({ kind: 'button', text: t(locale, 'mail.confirm.button'), url: p.confirmUrl! });
    blocks.push({ kind: 'note', text: t(locale, p.invited ? 'mail.confirm.invitedIgnore' : 'mail.confirm.ignore', { hours: CONFIRM_LINK_HOURS }) });
  } else if (kind === 'chat_confirm') {
    headline = t(locale, 'chat.confirm.title', { site: config.siteName });
    blocks.push({ kind: 'paragraph', text: t(locale, 'chat.confirm.intro', { site: config.siteName }) });
    blocks.push({ kind: 'button', text: t(locale, 'chat.confirm.button'), url: p.confirmUrl! });
    blocks.push({ kind: 'note', text: t(locale, 'chat.confirm.ignore', { hours: CONFIRM_LINK_HOURS }) });
  } else if (kind === 'manage_link') {
    headline = t(locale, 'mail.subject.manageLink');
    blocks.push({ kind: 'paragraph', text: t(locale, 'mail.manageLink.intro', { site: config.siteName }) });
    blocks.push({ kind: 'button', text: t(locale, 'mail.manage'), url: p.manageUrl });
    blocks.push({ kind: 'note', text: t(locale, 'mail.manageLink.ignore') });
  } else if (kind === 'postmortem_published') {
    // Without the report in the reader's language, the mail is named by the incident in theirs and says which language the report is in.
    const inTheirs = !p.postmortem || p.postmortem.locale === locale;
    headline = (inTheirs ? p.postmortem?.title : incident?.name) ?? incident?.name ?? p.postmortem?.title ?? '';
    status = 'postmortem';
    blocks.push({ kind: 'status', label: { text: statusText(locale, status), tone: updateTone(status) } });
    blocks.push({ kind: 'paragraph', text: t(locale, 'mail.postmortem.intro', { name: incident?.name ?? headline }) });
    if (!inTheirs && isLocale(p.postmortem!.locale))
      blocks.push({ kind: 'note', text: t(locale, 'mail.postmortem.otherLanguage', { language: t(locale, `language.${p.postmortem!.locale}`) }) });
    if (p.postmortem?.summary) blocks.push({ kind: 'markdown', source: p.postmortem.summary });
    blocks.push({ kind: 'button', text: t(locale, 'mail.readPostmortem'), url: `${p.siteLink}/postmortems/${p.postmortem?.slug ?? ''}` });
  } else if (kind === 'followups_completed') {
    const inTheirs = !p.postmortem || p.postmortem.locale === locale;
    headline = (inTheirs ? p.postmortem?.title : incident?.name) ?? incident?.name ?? p.postmortem?.title ?? '';
    blocks.push({ kind: 'paragraph', text: t(locale, 'mail.followUps.intro', { name: incident?.name ?? headline }) });
    const dayText = (day: string | null) => (day ? formatLongDate(dayInstant(day), locale, 'UTC') : '');
    blocks.push({
      kind: 'components',
      title: t(locale, 'followUps.title'),
      items: (p.followUps ?? []).map((f) => ({
        name: `${f.text[locale]} (${t(locale, `followUps.closedOn.${f.status === 'dropped' ? 'dropped' : 'done'}`, { date: dayText(f.closedOn) })}${f.reason ? `: ${f.reason[locale]}` : ''})`,
        status: { text: t(locale, `followUps.status.${f.status}`), tone: f.status === 'done' ? 'ok' : 'neutral' },
      })),
    });
    blocks.push({ kind: 'note', text: t(locale, 'mail.followUps.once') });
    blocks.push({ kind: 'button', text: t(locale, 'mail.readPostmortem'), url: `${p.siteLink}/postmortems/${p.postmortem?.slug ?? ''}#follow-ups` });
  } else if (incident) {
    headline = incident.name;
    // A reminder or a move announces no update: the window's own status and its (new) times.
    const announced = kind === 'maintenance_reminder' || kind === 'maintenance_rescheduled' ? undefined : update;
    // A back-dated note is not news of a new status: it says so, and gives the status the incident has.
    const statusNow = announced && statusWhenNoteWasWritten(incident, announced);
    status = statusNow ?? announced?.status ?? incident.status;
    blocks.push({
      kind: 'status',
      label: { text: statusText(locale, status), tone: updateTone(status) },
      when: announced && !statusNow ? when(announced.displayAt) : undefined,
    });
    if (announced && statusNow)
      blocks.push({ kind: 'paragraph', text: t(locale, 'mail.note.intro', { time: when(announced.displayAt), status: statusText(locale, statusNow) }) });
    if (kind === 'maintenance_reminder') blocks.push({ kind: 'paragraph', text: t(locale, 'mail.reminder.intro') });
    if (kind === 'maintenance_rescheduled') blocks.push({ kind: 'paragraph', text: t(locale, 'mail.rescheduled.intro') });
    if (incident.kind === 'maintenance' && incident.scheduledFor !== null && incident.scheduledUntil !== null && kind !== 'maintenance_completed') {
      blocks.push({ kind: 'paragraph', text: t(locale, 'mail.window', { start: when(incident.scheduledFor), end: when(incident.scheduledUntil) }) });
    }
    if (announced) blocks.push({ kind: 'markdown', source: announced.body });
    // Each component this update changed, with the status it now has; otherwise the ones the incident names (a note names none it did not change).
    const items =
      announced && announced.changes.length > 0
        ? announced.changes.map((c) => ({ name: c.name, status: { text: t(locale, `status.component.${c.newStatus}`), tone: componentTone(c.newStatus) } }))
        : statusNow
          ? []
          : incident.components.map((c) => ({ name: c.name }));
    if (items.length > 0) blocks.push({ kind: 'components', title: t(locale, 'incident.affects'), items });
    blocks.push({
      kind: 'button',
      text: t(locale, incident.kind === 'maintenance' ? 'mail.viewMaintenance' : 'mail.viewIncident'),
      url: `${p.siteLink}/incidents/${incident.id}`,
    });
  }
  const doc: MailDocument = {
    locale,
    siteName: config.siteName,
    siteUrl: config.siteUrl,
    headline,
    blocks,
    footer: {
      text: t(locale, 'mail.footer', { site: config.siteName }),
      manage: { text: t(locale, 'mail.manage'), url: p.manageUrl },
      unsubscribe: { text: t(locale, 'mail.unsubscribe'), url: p.unsubscribeUrl },
    },
  };
  return { doc, subject: subjectFor(locale, config.siteName, kind, headline) };
}

/** What an event tells readers about, in their language: the incident, the update it announces (else the latest) and any postmortem. */
type Topic = {
  kind: EventKind;
  incident: ReturnType<typeof loadIncident>;
  update: NonNullable<ReturnType<typeof loadIncident>>['updates'][number] | undefined;
  postmortem: EmailParts['postmortem'];
  followUps?: FollowUpView[];
};

/**
 * What events were about, by event, language and page, and the pages
 * recipients are on, for one batch of deliveries: ten thousand subscribers
 * of one event share one incident, read once rather than once each.
 */
export class TopicCache {
  readonly topics = new Map<string, Topic>();
  readonly pages = new Map<string, { config: Config; page: PageScope }>();
}

/**
 * The site as a recipient's status page shows it (the page's name, address
 * and language) and the page itself, which the message names nothing beyond;
 * a recipient of every page (a staff channel) gets the site as it is.
 */
function recipientSite(db: Db, config: Config, pageId: string | null, topics?: TopicCache): { config: Config; page?: PageScope } {
  if (pageId === null) return { config };
  const known = topics?.pages.get(pageId);
  if (known) return known;
  const page = loadPageScope(db, pageId);
  const site = { config: withPageSettings(config, page), page };
  topics?.pages.set(pageId, site);
  return site;
}

function eventTopic(db: Db, config: Config, event: typeof notificationEvents.$inferSelect, locale: Locale, topics?: TopicCache, page?: PageScope): Topic {
  const key = `${event.id}|${locale}|${page?.id ?? ''}`;
  const known = topics?.topics.get(key);
  if (known) return known;
  const kind = event.kind as EventKind;
  // As the recipient's page shows it (its components only); one moved off the page since is shown whole.
  const incident = event.incidentId ? (loadIncident(db, event.incidentId, locale, page) ?? loadIncident(db, event.incidentId, locale)) : undefined;
  const topic = {
    kind,
    incident,
    update: incident?.updates.find((u) => u.id === event.updateId) ?? incident?.updates.at(-1),
    postmortem: kind === 'postmortem_published' || kind === 'followups_completed' ? postmortemFor(config, event.ref, locale) : undefined,
    followUps: kind === 'followups_completed' ? publicFollowUpsOf(db, config, event.ref, event.createdAt) : undefined,
  };
  topics?.topics.set(key, topic);
  return topic;
}

/** Links into the site in a language: the default language's have no prefix, the others keep theirs (/ja/…). */
function siteLinkFor(config: Config, locale: Locale): string {
  return locale === config.defaultLocale ? config.siteUrl : `${config.siteUrl}/${locale}`;
}

/** The published report a postmortem event names, in the subscriber's language when staff wrote it in that language too. */
function postmortemFor(config: Config, slug: string | null, locale: Locale): EmailParts['postmortem'] {
  if (!slug) return undefined;
  const library = loadPostmortems(config.postmortems);
  const announced = library.bySlug.get(slug);
  if (!announced) return { slug, title: slug, summary: '', locale };
  const chosen = announced.locale === locale ? announced : (otherLanguages(library, announced).find((p) => p.locale === locale) ?? announced);
  return { slug: chosen.slug, title: chosen.title, summary: chosen.summary, locale: chosen.locale };
}

/** The public follow-ups of the report a follow-up event names, as they stood when it happened. */
function publicFollowUpsOf(db: Db, config: Config, slug: string | null, at: number): FollowUpView[] {
  const library = loadPostmortems(config.postmortems);
  const postmortem = slug ? library.bySlug.get(slug) : undefined;
  return postmortem ? publicFollowUpsAsOf(db, library, postmortem, at) : [];
}

/**
 * What a staff notice says, in `locale` (the site's language for mail, as
 * staff accounts carry no language of their own yet; a staff chat channel's
 * own), as a document for email and chat alike:
 *
 * - a missed-cadence reminder: how long customers have heard nothing (as of
 *   when the reminder was queued, so a retry says the same), the cadence, and
 *   a link to the incident's staff page;
 * - an alert or a check suggested something and it waits for a person: which
 *   source and rule, the alerts, and a link to review and publish it. Read
 *   from the alert group, which outlives the draft, so a retry after the
 *   draft was published still says the same.
 */
function staffDocument(db: Db, config: Config, event: typeof notificationEvents.$inferSelect, locale: Locale): { doc: MailDocument; subject: string } {
  const site = { locale, siteName: config.siteName, siteUrl: config.siteUrl };
  if (event.kind === 'code_guessing') {
    // Someone past the password step is guessing this person's codes.
    const [count = '', waitUntil = ''] = (event.ref ?? '').split(':');
    const zone = config.timeZone;
    const until = Number(waitUntil);
    return {
      doc: {
        ...site,
        headline: t(locale, 'mail.codeGuessing.headline'),
        blocks: [
          {
            kind: 'paragraph',
            text: t(locale, 'mail.codeGuessing.intro', { count, time: `${formatDateTime(until, locale, zone)} ${zoneAbbreviation(until, zone)} (${zone})` }),
          },
          { kind: 'paragraph', text: t(locale, 'mail.codeGuessing.ask') },
          { kind: 'button', text: t(locale, 'mail.codeGuessing.open'), url: `${siteLinkFor(config, locale)}/admin/account` },
        ],
        footer: { text: t(locale, 'mail.codeGuessing.footer', { site: config.siteName }) },
      },
      subject: t(locale, 'mail.subject.codeGuessing'),
    };
  }
  if (event.kind === 'alert_suggestion') {
    const [groupId = '', draftId = '', sinceText] = (event.ref ?? '').split(':');
    // Once-keys are `alerts:<source>:<at>:<occasion>:…`, or `alert:<group>:<occasion>:…` before notices were gathered per source.
    const onceParts = (event.onceKey ?? '').split(':');
    const said = onceParts[0] === 'alerts' ? onceParts[3] : onceParts[2];
    const occasion = said === 'recovery' || said === 'appended' || said === 'resolvedDraft' || said === 'more' ? said : 'suggested';
    const group = db.select().from(alertGroups).where(eq(alertGroups.id, groupId)).get();
    const rule = group?.ruleKey ? findRule(db, group.ruleKey) : undefined;
    const draft = db.select({ input: incidentDrafts.input }).from(incidentDrafts).where(eq(incidentDrafts.id, draftId)).get();
    const incident = event.incidentId ? loadIncident(db, event.incidentId, locale) : undefined;
    const draftName = draft ? (JSON.parse(draft.input) as { name?: string }).name : undefined;
    const name = incident?.name ?? (draftName || group?.groupKey || '');
    const fired = group
      ? db.select({ name: alertRows.name, summary: alertRows.summary, status: alertRows.status }).from(alertRows).where(eq(alertRows.groupId, group.id)).all()
      : [];
    const list = fired
      .slice(0, 10)
      .map((a) => `${a.name}${a.summary ? ` (${a.summary})` : ''}${a.status === 'resolved' ? ' ✓' : ''}`)
      .join(locale === 'ja' ? '、' : '; ');
    const source = t(locale, `mail.alert.source.${group?.source ?? 'webhook'}`);
    const ruleText = rule ? t(locale, 'mail.alert.rule', { rule: rule.name }) : '';
    // The alerts of this source between the notice before and this one, fixed by the event so a retry says the same.
    const since = sinceText === undefined ? null : Number(sinceText);
    const counted =
      group && since !== null
        ? (db
            .select({ n: count() })
            .from(alertRows)
            .where(and(eq(alertRows.source, group.source), gt(alertRows.receivedAt, since), lte(alertRows.receivedAt, event.createdAt)))
            .get()?.n ?? 0)
        : null;
    const sinceWhen = since === null ? '' : `${formatDateTime(since, locale, config.timeZone)} ${zoneAbbreviation(since, config.timeZone)}`;
    const link = event.incidentId ? `/admin/incidents/${event.incidentId}` : draftId ? `/admin/incidents/new?draft=${draftId}` : '/admin';
    return {
      doc: {
        ...site,
        headline: name,
        blocks: [
          { kind: 'paragraph', text: t(locale, `mail.alert.${occasion}`, { source, rule: ruleText }) },
          ...(counted !== null
            ? [
                {
                  kind: 'paragraph' as const,
                  text: t(locale, counted === 1 ? 'mail.alert.countOne' : 'mail.alert.countMany', { count: counted, source, since: sinceWhen }),
                },
              ]
            : []),
          ...(list ? [{ kind: 'paragraph' as const, text: t(locale, 'mail.alert.alerts', { list }) }] : []),
          { kind: 'button', text: t(locale, 'mail.alert.open'), url: `${siteLinkFor(config, locale)}${link}` },
        ],
        footer: { text: t(locale, 'mail.alert.footer', { site: config.siteName }) },
      },
      subject: t(locale, occasion === 'recovery' || occasion === 'resolvedDraft' ? 'mail.subject.alertRecovery' : 'mail.subject.alertSuggestion', { name }),
    };
  }
  if (event.kind === 'followup_overdue') {
    const followUp = findFollowUp(db, event.ref ?? '');
    const library = loadPostmortems(config.postmortems);
    const postmortem = followUp ? library.bySlug.get(followUp.postmortemSlug) : undefined;
    // The due day as it was when the reminder was queued (its once-key), so a retry says the same.
    const due = (event.onceKey ?? '').split(':')[2] ?? followUp?.dueOn ?? '';
    const dueText = due ? formatLongDate(dayInstant(due), locale, 'UTC') : '';
    const text = followUp?.text[locale] ?? '';
    const link = postmortem ? `/admin/postmortems/edit?file=${encodeURIComponent(postmortem.file)}#follow-ups` : '/admin';
    return {
      doc: {
        ...site,
        headline: text,
        blocks: [
          {
            kind: 'paragraph',
            text: t(locale, 'mail.followUpOverdue.intro', { date: dueText, zone: config.timeZone, title: postmortem?.title ?? followUp?.postmortemSlug ?? '' }),
          },
          { kind: 'paragraph', text: t(locale, 'mail.followUpOverdue.ask') },
          { kind: 'button', text: t(locale, 'mail.followUpOverdue.open'), url: `${siteLinkFor(config, locale)}${link}` },
        ],
        footer: { text: t(locale, 'mail.followUpOverdue.footer', { site: config.siteName }) },
      },
      subject: t(locale, 'mail.subject.followUpOverdue', { text }),
    };
  }
  const incident = loadIncident(db, event.incidentId!, locale)!;
  const cadence =
    db.select({ minutes: incidentsTable.updateCadenceMinutes }).from(incidentsTable).where(eq(incidentsTable.id, incident.id)).get()?.minutes ?? 0;
  const zone = config.timeZone;
  const lastAt = Number(event.ref);
  const when = `${formatDateTime(lastAt, locale, zone)} ${zoneAbbreviation(lastAt, zone)} (${zone})`;
  const ago = formatDuration(event.createdAt - lastAt, locale);
  return {
    doc: {
      ...site,
      headline: incident.name,
      blocks: [
        { kind: 'status', label: { text: statusText(locale, incident.status), tone: updateTone(incident.status) } },
        { kind: 'paragraph', text: t(locale, 'mail.cadence.intro', { ago, time: when }) },
        { kind: 'paragraph', text: t(locale, 'mail.cadence.ask', { minutes: cadence }) },
        { kind: 'button', text: t(locale, 'mail.cadence.open'), url: `${siteLinkFor(config, locale)}/admin/incidents/${incident.id}` },
      ],
      footer: { text: t(locale, 'mail.cadence.footer', { site: config.siteName }) },
    },
    subject: t(locale, 'mail.subject.cadence', { ago, name: incident.name }),
  };
}

/** A staff notice to one staff user. No list headers: it is not a list, and it has nothing to unsubscribe from. */
function composeStaffEmail(db: Db, config: Config, row: OutboxRow, event: typeof notificationEvents.$inferSelect): EmailMessage {
  const user = db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, row.userId!)).get()!;
  const { doc, subject } = staffDocument(db, config, event, config.defaultLocale);
  return {
    to: user.email,
    subject: headerSafe(`[${config.siteName}] ${subject}`),
    text: mailText(doc),
    html: mailHtml(doc),
    messageId: `<event-${row.eventId}.staff-${user.id}@${new URL(config.siteUrl).hostname}>`,
    headers: {},
  };
}

/**
 * A private page's sign-in link, in the page's language, from the page's
 * address. No list headers: nobody subscribed to it.
 */
function composeViewerLinkEmail(db: Db, siteConfig: Config, row: OutboxRow): EmailMessage {
  const link = db.select().from(viewerLinks).where(eq(viewerLinks.id, row.viewerLinkId!)).get()!;
  const { config } = recipientSite(db, siteConfig, link.pageId);
  const locale = config.defaultLocale;
  const site = config.siteName;
  const doc: MailDocument = {
    locale,
    siteName: site,
    siteUrl: config.siteUrl,
    headline: t(locale, 'mail.subject.viewerLink', { site }),
    blocks: [
      { kind: 'paragraph', text: t(locale, 'mail.viewerLink.intro', { site, minutes: VIEWER_LINK_MINUTES }) },
      { kind: 'button', text: t(locale, 'mail.viewerLink.button', { site }), url: `${config.siteUrl}/viewer/sign-in?token=${viewerLinkToken(db, link)}` },
      { kind: 'note', text: t(locale, 'mail.viewerLink.ignore') },
    ],
    footer: { text: t(locale, 'mail.viewerLink.footer', { site }) },
  };
  return {
    to: link.email,
    subject: headerSafe(`[${site}] ${t(locale, 'mail.subject.viewerLink', { site })}`),
    text: mailText(doc),
    html: mailHtml(doc),
    messageId: `<event-${row.eventId}.viewer-${link.id}@${new URL(config.siteUrl).hostname}>`,
    headers: {},
  };
}

export function composeEmail(db: Db, siteConfig: Config, row: OutboxRow, topics?: TopicCache): EmailMessage {
  const event = db.select().from(notificationEvents).where(eq(notificationEvents.id, row.eventId)).get()!;
  if (row.userId !== null) return composeStaffEmail(db, siteConfig, row, event);
  if (row.viewerLinkId !== null) return composeViewerLinkEmail(db, siteConfig, row);
  const subscriber = db.select().from(subscribers).where(eq(subscribers.id, row.subscriberId!)).get()!;
  const { config, page } = recipientSite(db, siteConfig, subscriber.pageId, topics);
  const locale: Locale = isLocale(subscriber.locale) ? subscriber.locale : config.defaultLocale;
  const about = eventTopic(db, config, event, locale, topics, page);
  const kind = about.kind;
  const secret = siteSecret(db);
  const site = siteLinkFor(config, locale);
  // Links carry the subscriber's current link generation: the newest email's links work, older ones have expired.
  const generation = subscriber.linkGeneration;
  const unsubscribeUrl = `${site}/unsubscribe?token=${signToken(secret, subscriber.id, 'manage', generation)}`;
  const hostname = new URL(config.siteUrl).hostname;
  // One thread per incident and reader: its id is the first mail's Message-ID, named by both, so no list of sent mails is kept.
  const thread = event.incidentId && kind !== 'confirm' && kind !== 'manage_link' ? `<incident-${event.incidentId}.${subscriber.id}@${hostname}>` : undefined;
  const startsThread = kind === 'incident_opened' || kind === 'maintenance_scheduled';
  const content = renderEmail({
    config,
    locale,
    ...about,
    siteLink: site,
    timeZone: subscriber.timeZone,
    manageUrl: `${site}/subscribe/manage?token=${signToken(secret, subscriber.id, 'manage', generation)}`,
    unsubscribeUrl,
    // The expiry comes from the event, so a retry sends the very same link.
    confirmUrl: `${site}/subscribe/confirm?token=${signToken(secret, subscriber.id, 'confirm', generation, event.createdAt + CONFIRM_LINK_HOURS * 3_600_000)}`,
    invited: kind === 'confirm' && event.ref === 'import',
  });
  return {
    to: subscriber.email,
    ...content,
    // The same (event, subscriber) pair always carries the same Message-ID, so a resend after a crash is recognisably the same message.
    // The first mail about an incident (or a maintenance) starts its thread; every later one answers it.
    messageId: thread && startsThread ? thread : `<event-${row.eventId}.${subscriber.id}@${hostname}>`,
    headers: {
      ...(kind === 'confirm' || kind === 'manage_link'
        ? {}
        : {
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          }),
      ...(thread && !startsThread ? { 'In-Reply-To': thread, References: thread } : {}),
    },
    // RFC 2919: one list per site, named by its host, so readers can filter on it.
    list: kind === 'confirm' || kind === 'manage_link' ? undefined : { id: { url: hostname, comment: headerSafe(config.siteName, 60) } },
  };
}

/** The email an update would send, for staff to check before posting it. */
export function previewUpdateEmail(
  db: Db,
  config: Config,
  incidentId: string,
  draft: { status: string; body: string; displayAt?: number },
  locale: Locale,
  now: number,
) {
  const incident = loadIncident(db, incidentId, locale);
  if (!incident) return undefined;
  const kind: EventKind =
    draft.status === 'resolved'
      ? 'incident_resolved'
      : incident.kind === 'maintenance' && draft.status === 'in_progress'
        ? 'maintenance_started'
        : 'incident_updated';
  const update = {
    id: 'preview',
    // Written last: among updates shown at the same time it comes after them.
    seq: Number.MAX_SAFE_INTEGER,
    status: draft.status as UpdateView['status'],
    body: draft.body,
    displayAt: draft.displayAt ?? now,
    createdAt: now,
    updatedAt: now,
    notify: true,
    version: 1,
    changes: [],
  };
  const site = siteLinkFor(config, locale);
  return renderEmail({
    config,
    locale,
    kind,
    incident: { ...incident, status: update.status, updates: [...incident.updates, update] },
    update,
    siteLink: site,
    manageUrl: `${site}/subscribe/manage?token=…`,
    unsubscribeUrl: `${site}/unsubscribe?token=…`,
  });
}

/**
 * What a reader's channel (a chat channel or a browser) is told about an
 * event: the email's document for it, in the channel's language, with no
 * manage or unsubscribe links (each channel has its own way to stop).
 */
function readerDocument(
  db: Db,
  config: Config,
  event: typeof notificationEvents.$inferSelect,
  locale: Locale,
  confirmUrl?: string,
  topics?: TopicCache,
  page?: PageScope,
): MailDocument {
  return notificationDocument({
    config,
    locale,
    ...eventTopic(db, config, event, locale, topics, page),
    siteLink: siteLinkFor(config, locale),
    manageUrl: '',
    unsubscribeUrl: '',
    confirmUrl,
  }).doc;
}

const localeOr = (config: Config, value: string | null): Locale => (isLocale(value ?? '') ? (value as Locale) : config.defaultLocale);

/**
 * A chat message: the email's document for the same event, in the channel's
 * language, written in its platform's format. A channel a reader added
 * carries a link that stops the messages; its confirmation carries the link
 * that starts them (expiring like an email confirmation).
 */
function composeChat(
  db: Db,
  config: Config,
  event: typeof notificationEvents.$inferSelect,
  hook: typeof webhooks.$inferSelect & { kind: ChatKind },
  now: number,
  topics?: TopicCache,
  page?: PageScope,
): WebhookMessage {
  if (isStaffEvent(event.kind)) {
    const { doc } = staffDocument(db, config, event, localeOr(config, hook.locale));
    return {
      url: hook.url,
      body: chatBody(hook.kind, doc, { text: doc.footer.text }, now),
      headers: { 'content-type': 'application/json', 'user-agent': 'Shirase-Webhook/1' },
    };
  }
  const locale = localeOr(config, hook.locale);
  const site = siteLinkFor(config, locale);
  const secret = siteSecret(db);
  const confirmUrl = `${site}/subscribe/chat?token=${signToken(secret, hook.id, 'chat_confirm', 0, event.createdAt + CONFIRM_LINK_HOURS * 3_600_000)}`;
  const doc = readerDocument(db, config, event, locale, confirmUrl, topics, page);
  const stop =
    hook.addedBy === 'reader' && event.kind !== 'chat_confirm'
      ? { text: t(locale, 'chat.stop'), url: `${site}/subscribe/chat?token=${signToken(secret, hook.id, 'chat_stop', 0)}` }
      : undefined;
  return {
    url: hook.url,
    body: chatBody(hook.kind, doc, { text: t(locale, 'chat.footer', { site: config.siteName }), stop }, now),
    headers: { 'content-type': 'application/json', 'user-agent': 'Shirase-Webhook/1' },
  };
}

/** Push services keep an undelivered notification this long for a browser that is offline, then drop it: older news is no news. */
const PUSH_TTL_SECONDS = 24 * 3600;

/**
 * Who runs this site, as VAPID asks (RFC 8292): the site's https address, or
 * the sender's mail address when the site has none a push service could use.
 */
function vapidSubject(config: Config): string {
  const site = new URL(config.siteUrl);
  if (site.protocol === 'https:' && site.hostname !== 'localhost') return site.origin;
  const address =
    [...config.mailFrom.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!).find((inner) => inner.indexOf('@') > 0 && !inner.endsWith('@')) ?? config.mailFrom.trim();
  return `mailto:${address}`;
}

/**
 * A browser notification: the same document in the browser's language, as
 * the short payload the service worker shows, encrypted to the browser's keys
 * and signed with the site's VAPID key by web-push. Notifications about one
 * incident share a tag and a push topic, so a browser that was offline is
 * shown the latest one rather than the whole backlog.
 */
export function composePush(db: Db, siteConfig: Config, row: OutboxRow, vapid: VapidKeys, now: number, topics?: TopicCache): WebhookMessage {
  const event = db.select().from(notificationEvents).where(eq(notificationEvents.id, row.eventId)).get()!;
  const browser = db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, row.pushSubscriptionId!)).get()!;
  const { config, page } = recipientSite(db, siteConfig, browser.pageId, topics);
  const locale = localeOr(config, browser.locale);
  const doc = readerDocument(db, config, event, locale, undefined, topics, page);
  const subject = event.incidentId ?? `event-${event.id}`;
  const payload = pushPayload(doc, { tag: subject, fallbackUrl: siteLinkFor(config, locale), sentAt: now });
  const urgent = event.kind === 'incident_opened' || event.kind === 'incident_updated' || event.kind === 'incident_resolved';
  const request = webPush.generateRequestDetails({ endpoint: browser.endpoint, keys: { p256dh: browser.p256dh, auth: browser.auth } }, payload, {
    vapidDetails: { subject: vapidSubject(config), publicKey: vapid.publicKey, privateKey: vapid.privateKey },
    TTL: PUSH_TTL_SECONDS,
    urgency: urgent ? 'high' : 'normal',
    topic: subject.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32),
  });
  const headers: Record<string, string> = { 'user-agent': 'Shirase-Push/1' };
  // The length is set from the body when the request is sent.
  for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== 'content-length') headers[name.toLowerCase()] = String(value);
  return { url: request.endpoint, body: request.body as Buffer, headers };
}

/** The version of the webhook payload; docs/webhook-payload.schema.json describes it. Raised only by a change that could break a receiver. */
const WEBHOOK_PAYLOAD_VERSION = 1;

/**
 * The key a webhook's `whsec_` secret stands for, as the Standard Webhooks
 * libraries decode it: the base64 after the prefix. (Node's decoder also
 * reads the URL-safe alphabet that secrets made before were written in.)
 */
function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * A webhook delivery, signed as the Standard Webhooks specification says:
 * `webhook-id` is the same on every attempt (receivers drop repeats by it),
 * `webhook-timestamp` is when this attempt is sent (receivers refuse old
 * ones, so a retry must not reuse the first attempt's), and
 * `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
 * `id.timestamp.body`. The body is built from the stored rows alone, so every
 * attempt sends the same bytes. The x-shirase-* headers of the first webhook
 * version are still sent for receivers that check them.
 */
export function composeWebhook(db: Db, siteConfig: Config, row: OutboxRow, now: number, topics?: TopicCache): WebhookMessage {
  const event = db.select().from(notificationEvents).where(eq(notificationEvents.id, row.eventId)).get()!;
  const hook = db.select().from(webhooks).where(eq(webhooks.id, row.webhookId!)).get()!;
  const { config, page } = recipientSite(db, siteConfig, hook.pageId, topics);
  if (hook.kind !== 'webhook') return composeChat(db, config, event, { ...hook, kind: hook.kind }, now, topics, page);
  const incident = event.incidentId ? (loadIncident(db, event.incidentId, undefined, page) ?? loadIncident(db, event.incidentId)) : undefined;
  const update = incident?.updates.find((u) => u.id === event.updateId);
  const body = JSON.stringify({
    version: WEBHOOK_PAYLOAD_VERSION,
    id: `event-${event.id}`,
    event: event.kind,
    created_at: new Date(event.createdAt).toISOString(),
    page: { name: config.siteName, url: config.siteUrl, time_zone: config.timeZone },
    incident: incident
      ? {
          id: incident.id,
          name: incident.name,
          kind: incident.kind,
          status: incident.status,
          impact: incident.impact,
          started_at: new Date(incident.startedAt).toISOString(),
          resolved_at: incident.resolvedAt === null ? null : new Date(incident.resolvedAt).toISOString(),
          url: `${config.siteUrl}/incidents/${incident.id}`,
          components: incident.components,
        }
      : null,
    update: update ? { id: update.id, status: update.status, body: update.body, display_at: new Date(update.displayAt).toISOString() } : null,
    postmortem: event.ref ? { slug: event.ref, url: `${config.siteUrl}/postmortems/${event.ref}` } : null,
  });
  const messageId = `msg_event-${event.id}.${hook.id}`;
  const sentAt = String(Math.floor(now / 1000));
  const signature = createHmac('sha256', webhookKey(hook.secret)).update(`${messageId}.${sentAt}.${body}`).digest('base64');
  const firstTimestamp = String(Math.floor(event.createdAt / 1000));
  return {
    url: hook.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Shirase-Webhook/1',
      'webhook-id': messageId,
      'webhook-timestamp': sentAt,
      'webhook-signature': `v1,${signature}`,
      'x-shirase-event': event.kind,
      'x-shirase-delivery': `event-${event.id}.${hook.id}`,
      'x-shirase-timestamp': firstTimestamp,
      'x-shirase-signature': `sha256=${createHmac('sha256', hook.secret).update(`${firstTimestamp}.${body}`).digest('hex')}`,
    },
  };
}
