// What each outbox row sends: an email in the subscriber's language, or a
// signed JSON body for a webhook. Built again on every attempt from the same
// rows, so a retry sends exactly what the first attempt would have.
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { notificationEvents, subscribers, webhooks, type outbox } from '../../../db/schema';
import type { Config } from '../config';
import { isLocale, t, type Locale } from '../i18n/messages';
import { formatDateTime, zoneAbbreviation } from '../i18n/format';
import { renderMarkdown } from '../markdown/render';
import { escapeHtml } from '../views/uptime-strip-html';
import { loadIncident, type IncidentView, type UpdateView } from '../views/incidents';
import { CONFIRM_LINK_HOURS } from './subscriptions';
import { siteSecret, signToken } from './signed-tokens';
import type { EventKind } from './enqueue';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface WebhookMessage {
  url: string;
  body: string;
  headers: Record<string, string>;
}

type OutboxRow = typeof outbox.$inferSelect;

/** Header values never carry line breaks or control characters, whatever staff typed. */
function headerSafe(text: string, max = 180): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this strips
  const clean = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function subjectFor(locale: Locale, siteName: string, kind: EventKind, incident: IncidentView | undefined, ref: string | null): string {
  const name = incident?.name ?? '';
  const status = incident ? t(locale, `status.update.${incident.status}`) : '';
  const line = {
    confirm: t(locale, 'mail.subject.confirm'),
    manage_link: t(locale, 'mail.subject.manageLink'),
    incident_opened: `${name}: ${status}`,
    incident_updated: `${name}: ${status}`,
    incident_resolved: `${name}: ${t(locale, 'status.update.resolved')}`,
    maintenance_scheduled: t(locale, 'mail.subject.maintenanceScheduled', { name }),
    maintenance_reminder: t(locale, 'mail.subject.maintenanceReminder', { name }),
    maintenance_started: t(locale, 'mail.subject.maintenanceStarted', { name }),
    maintenance_completed: t(locale, 'mail.subject.maintenanceCompleted', { name }),
    postmortem_published: t(locale, 'mail.subject.postmortem', { name: ref ?? name }),
  }[kind];
  return headerSafe(`[${siteName}] ${line}`);
}

interface EmailParts {
  config: Config;
  locale: Locale;
  kind: EventKind;
  incident: IncidentView | undefined;
  update: UpdateView | undefined;
  /** The postmortem's slug, for postmortem events. */
  ref: string | null;
  manageUrl: string;
  unsubscribeUrl: string;
  confirmUrl?: string;
}

/** Subject, text and HTML of one email: the single place emails are written, for sending and for previews. */
function renderEmail(p: EmailParts): { subject: string; text: string; html: string } {
  const { config, locale, kind, incident, update } = p;
  const zone = config.timeZone;
  const site = config.siteUrl;
  const when = (ms: number) => `${formatDateTime(ms, locale, zone)} ${zoneAbbreviation(ms, zone)} (${zone})`;
  const text: string[] = [];
  const html: string[] = [];
  const para = (s: string, h = escapeHtml(s)) => {
    text.push(s, '');
    html.push(`<p>${h}</p>`);
  };
  if (kind === 'confirm') {
    para(t(locale, 'mail.confirm.intro', { site: config.siteName }));
    para(p.confirmUrl!, `<a href="${escapeHtml(p.confirmUrl!)}">${escapeHtml(t(locale, 'mail.confirm.button'))}</a>`);
    para(t(locale, 'mail.confirm.ignore', { hours: CONFIRM_LINK_HOURS }));
  } else if (kind === 'manage_link') {
    para(t(locale, 'mail.manageLink.intro', { site: config.siteName }));
    para(p.manageUrl, `<a href="${escapeHtml(p.manageUrl)}">${escapeHtml(t(locale, 'mail.manage'))}</a>`);
    para(t(locale, 'mail.manageLink.ignore'));
  } else if (kind === 'postmortem_published') {
    const link = `${site}/postmortems/${p.ref ?? ''}`;
    para(t(locale, 'mail.postmortem.intro', { name: incident?.name ?? '' }));
    para(link, `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`);
  } else if (incident) {
    if (kind === 'maintenance_reminder' || kind === 'maintenance_scheduled') {
      if (incident.scheduledFor !== null && incident.scheduledUntil !== null) para(t(locale, 'mail.window', { start: when(incident.scheduledFor), end: when(incident.scheduledUntil) }));
    }
    if (update && kind !== 'maintenance_reminder') {
      para(`${t(locale, `status.update.${update.status}`)} · ${when(update.displayAt)}`);
      text.push(update.body, '');
      html.push(`<div>${renderMarkdown(update.body)}</div>`);
    }
    if (incident.components.length > 0) para(`${t(locale, 'incident.affects')}: ${incident.components.map((c) => c.name).join(', ')}`);
    const link = `${site}/incidents/${incident.id}`;
    para(link, `<a href="${escapeHtml(link)}">${escapeHtml(t(locale, 'mail.viewIncident'))}</a>`);
  }
  const footer = t(locale, 'mail.footer', { site: config.siteName });
  text.push('--', footer, `${t(locale, 'mail.manage')}: ${p.manageUrl}`, `${t(locale, 'mail.unsubscribe')}: ${p.unsubscribeUrl}`);
  html.push(
    `<hr><p style="color:#555;font-size:13px">${escapeHtml(footer)}<br><a href="${escapeHtml(p.manageUrl)}">${escapeHtml(t(locale, 'mail.manage'))}</a> · <a href="${escapeHtml(p.unsubscribeUrl)}">${escapeHtml(t(locale, 'mail.unsubscribe'))}</a></p>`,
  );
  return {
    subject: subjectFor(locale, config.siteName, kind, incident, p.ref),
    text: text.join('\n'),
    html: `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem">${html.join('\n')}</body></html>`,
  };
}

export function composeEmail(db: Db, config: Config, row: OutboxRow): EmailMessage {
  const event = db.select().from(notificationEvents).where(eq(notificationEvents.id, row.eventId)).get()!;
  const subscriber = db.select().from(subscribers).where(eq(subscribers.id, row.subscriberId!)).get()!;
  const locale: Locale = isLocale(subscriber.locale) ? subscriber.locale : config.defaultLocale;
  const kind = event.kind as EventKind;
  const secret = siteSecret(db);
  const site = config.siteUrl;
  const incident = event.incidentId ? loadIncident(db, event.incidentId, locale) : undefined;
  // Links carry the subscriber's current link generation: the newest email's links work, older ones have expired.
  const generation = subscriber.linkGeneration;
  const unsubscribeUrl = `${site}/unsubscribe?token=${signToken(secret, subscriber.id, 'manage', generation)}`;
  const content = renderEmail({
    config,
    locale,
    kind,
    incident,
    update: incident?.updates.find((u) => u.id === event.updateId) ?? incident?.updates.at(-1),
    ref: event.ref,
    manageUrl: `${site}/subscribe/manage?token=${signToken(secret, subscriber.id, 'manage', generation)}`,
    unsubscribeUrl,
    // The expiry comes from the event, so a retry sends the very same link.
    confirmUrl: `${site}/subscribe/confirm?token=${signToken(secret, subscriber.id, 'confirm', generation, event.createdAt + CONFIRM_LINK_HOURS * 3_600_000)}`,
  });
  return {
    to: subscriber.email,
    ...content,
    // The same (event, subscriber) pair always carries the same Message-ID, so a resend after a crash is recognisably the same message.
    messageId: `<event-${row.eventId}.${subscriber.id}@${new URL(site).hostname}>`,
    headers: kind === 'confirm' || kind === 'manage_link' ? {} : { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/** The email an update would send, for staff to check before posting it. */
export function previewUpdateEmail(db: Db, config: Config, incidentId: string, draft: { status: string; body: string }, locale: Locale, now: number) {
  const incident = loadIncident(db, incidentId, locale);
  if (!incident) return undefined;
  const kind: EventKind = draft.status === 'resolved' ? 'incident_resolved' : incident.kind === 'maintenance' && draft.status === 'in_progress' ? 'maintenance_started' : 'incident_updated';
  const update = { id: 'preview', seq: 0, status: draft.status as UpdateView['status'], body: draft.body, displayAt: now, createdAt: now, updatedAt: now, notify: true, version: 1, changes: [] };
  const example = `${config.siteUrl}/subscribe/manage?token=…`;
  return renderEmail({ config, locale, kind, incident: { ...incident, status: update.status }, update, ref: null, manageUrl: example, unsubscribeUrl: example });
}

export function composeWebhook(db: Db, config: Config, row: OutboxRow): WebhookMessage {
  const event = db.select().from(notificationEvents).where(eq(notificationEvents.id, row.eventId)).get()!;
  const hook = db.select().from(webhooks).where(eq(webhooks.id, row.webhookId!)).get()!;
  const incident = event.incidentId ? loadIncident(db, event.incidentId) : undefined;
  const update = incident?.updates.find((u) => u.id === event.updateId);
  const body = JSON.stringify({
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
  const timestamp = String(Math.floor(event.createdAt / 1000));
  const signature = createHmac('sha256', hook.secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    url: hook.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Shirase-Webhook/1',
      'x-shirase-event': event.kind,
      'x-shirase-delivery': `event-${event.id}.${hook.id}`,
      'x-shirase-timestamp': timestamp,
      'x-shirase-signature': `sha256=${signature}`,
    },
  };
}
