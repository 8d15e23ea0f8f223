// Chat channels: Slack, Microsoft Teams and Discord incoming webhooks that
// get each notification in their platform's format. Staff add them from the
// admin; readers add their own from /subscribe, and a reader's channel gets
// only a message with a confirmation link until someone in the channel
// confirms it, so nobody can subscribe someone else's channel.
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { webhooks } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { addressKey } from '../auth/address-key';
import { ShiraseError, fieldIssue, notFound } from '../errors';
import { newPublicId } from '../ids';
import { LOCALES } from '../i18n/messages';
import { parseInput, publicIdField } from '../validation';
import type { WriteContext } from '../write-context';
import { CHAT_KINDS, type ChatKind } from './chat-message';
import { enqueueEvent } from './enqueue';
import { siteSecret, verifyToken } from './signed-tokens';
import { throttle } from './throttle';
import { literalHostAllowed, onKnownReceiver, type KnownReceivers } from './webhook-request';
import { checkComponents } from './subscriptions';
import type { PageScope } from '../pages/page-scope';

/** Where each platform's incoming webhooks live; any other address is refused for that platform unless CHAT_WEBHOOK_HOSTS lists its host. */
const PLATFORM_HOSTS: Record<ChatKind, KnownReceivers> = {
  slack: { hosts: ['hooks.slack.com'], paths: /^\/(services|triggers|workflows)\// },
  discord: { hosts: ['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'], paths: /^\/api\/(v\d+\/)?webhooks\/\d+\/[\w-]+/ },
  // Incoming webhooks (/webhookb2/), and workflows on Logic Apps (/workflows/) or Power Automate (/powerautomate/).
  teams: { suffixes: ['.webhook.office.com', '.logic.azure.com', '.environment.api.powerplatform.com'], paths: /^\/(webhookb2|workflows|powerautomate)\// },
};

export const chatChannelSchema = z.object({
  kind: z.enum(CHAT_KINDS, { errorMap: () => ({ message: 'errors.field.chatKind' }) }),
  url: z.string().trim().min(1, 'errors.field.chatUrl').max(2000, 'errors.field.chatUrl'),
  locale: z.enum(LOCALES).default('en'),
  componentIds: z.array(publicIdField()).max(500).nullable().default(null),
  description: z.string().trim().max(200).optional(),
  /** Staff channels get alert suggestions and update reminders instead of status notifications; only staff can add one. */
  audience: z.enum(['subscribers', 'staff']).default('subscribers'),
});
export type ChatChannelInput = z.input<typeof chatChannelSchema>;

function checkedInput(input: ChatChannelInput, options: { extraHosts: readonly string[]; allowPrivate: boolean }) {
  const data = parseInput(chatChannelSchema, input, 'chatChannel');
  if (!onKnownReceiver(data.url, PLATFORM_HOSTS[data.kind], options.extraHosts)) {
    throw new ShiraseError('VALIDATION', 'errors.chat.url', { params: { platform: data.kind }, fields: [fieldIssue('url', `errors.chat.url.${data.kind}`)] });
  }
  if (!literalHostAllowed(new URL(data.url), options.allowPrivate)) {
    throw new ShiraseError('VALIDATION', 'errors.webhook.private', {
      hint: 'errors.webhook.private.hint',
      fields: [fieldIssue('url', 'errors.webhook.private')],
    });
  }
  return data;
}

/** A hook URL is a password: the audit log and the screens show where it goes, never all of it. */
export function maskedHookUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}/…${url.pathname.slice(-4)}`;
  } catch {
    return '…';
  }
}

/** Staff add a channel: it is on at once. */
export function addChatChannel(
  db: Db,
  input: ChatChannelInput,
  ctx: WriteContext,
  options: { extraHosts: readonly string[]; allowPrivate: boolean },
): { id: string } {
  const data = checkedInput(input, options);
  const id = newPublicId();
  db.transaction((tx) => {
    tx.insert(webhooks)
      .values({
        id,
        kind: data.kind,
        url: data.url,
        description: data.description || null,
        // Chat platforms check no signature; the column holds an unused secret all the same.
        secret: `whsec_${randomBytes(24).toString('base64')}`,
        componentIds: data.componentIds ? JSON.stringify(data.componentIds) : null,
        locale: data.locale,
        audience: data.audience,
        addedBy: 'staff',
        confirmedAt: ctx.now,
        createdAt: ctx.now,
      })
      .run();
    recordAudit(tx, ctx, {
      action: 'chat.create',
      entityType: 'webhook',
      entityId: id,
      after: { kind: data.kind, url: maskedHookUrl(data.url), locale: data.locale, audience: data.audience },
    });
  });
  return { id };
}

/**
 * A reader asks for updates in their channel: the channel gets a message with
 * a confirmation link and nothing else until it is used. Asking again for a
 * channel that waits sends the link again; for one already confirmed it
 * changes nothing. The answer is the same every time, and requests are
 * throttled per channel and per client.
 */
export function requestChatChannel(
  db: Db,
  input: ChatChannelInput,
  page: PageScope,
  client: string,
  now: number,
  options: { extraHosts: readonly string[]; allowPrivate: boolean },
): void {
  // A reader's channel is always for status notifications, whatever the form sent.
  const data = { ...checkedInput(input, options), audience: 'subscribers' as const };
  checkComponents(db, data.componentIds, page);
  throttle(db, [`chat-url:${data.url}`], 3, 3_600_000, now);
  throttle(db, [`subscribe-client:${addressKey(client)}`], 20, 3_600_000, now);
  db.transaction((tx) => {
    const existing = tx
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.url, data.url), eq(webhooks.pageId, page.id), isNull(webhooks.disabledAt)))
      .get();
    if (existing?.confirmedAt) return;
    const id = existing?.id ?? newPublicId();
    if (!existing) {
      tx.insert(webhooks)
        .values({
          id,
          kind: data.kind,
          url: data.url,
          secret: `whsec_${randomBytes(24).toString('base64')}`,
          componentIds: data.componentIds ? JSON.stringify(data.componentIds) : null,
          locale: data.locale,
          pageId: page.id,
          addedBy: 'reader',
          createdAt: now,
        })
        .run();
    } else {
      tx.update(webhooks)
        .set({ locale: data.locale, componentIds: data.componentIds ? JSON.stringify(data.componentIds) : null })
        .where(eq(webhooks.id, id))
        .run();
    }
    enqueueEvent(tx, { kind: 'chat_confirm', ref: id }, now);
  });
}

function channelFor(db: Db, token: string | null, purpose: 'chat_confirm' | 'chat_stop', now: number) {
  const { subscriberId: id } = verifyToken(siteSecret(db), token, purpose, now);
  const row = db.select().from(webhooks).where(eq(webhooks.id, id)).get();
  if (!row) throw notFound('chatChannel');
  return row;
}

/** What a channel's link page shows before anything is pressed. */
export function chatChannelForLink(
  db: Db,
  token: string | null,
  now: number,
): { kind: ChatKind; purpose: 'chat_confirm' | 'chat_stop'; state: 'waiting' | 'on' | 'off' } {
  const purpose = (token ?? '').split('.')[1] === 'chat_stop' ? 'chat_stop' : 'chat_confirm';
  const row = channelFor(db, token, purpose, now);
  return { kind: row.kind as ChatKind, purpose, state: row.disabledAt !== null ? 'off' : row.confirmedAt !== null ? 'on' : 'waiting' };
}

/** Someone in the channel confirmed: notifications start. */
export function confirmChatChannel(db: Db, token: string | null, now: number): void {
  const row = channelFor(db, token, 'chat_confirm', now);
  if (row.disabledAt !== null) throw new ShiraseError('CONFLICT', 'errors.chat.stopped', { hint: 'errors.chat.stopped.hint' });
  if (row.confirmedAt === null) db.update(webhooks).set({ confirmedAt: now }).where(eq(webhooks.id, row.id)).run();
}

/** The channel's own stop link: nothing more is sent to it. */
export function stopChatChannel(db: Db, token: string | null, now: number): void {
  const row = channelFor(db, token, 'chat_stop', now);
  if (row.disabledAt === null) db.update(webhooks).set({ disabledAt: now, disabledReason: 'reader' }).where(eq(webhooks.id, row.id)).run();
}
