import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { outbox, webhooks } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff, postForm } from '../support/staff';
import { startReceiver } from '../support/http-receiver';
import { until } from '../support/until';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { createApiToken } from '../../src/lib/auth/create-api-token';

// Chat channels against loopback receivers that check each platform's
// documented message shape: Slack Block Kit, a Teams Adaptive Card, a Discord
// embed with its limits. CHAT_WEBHOOK_HOSTS lets channels point at loopback,
// as a self-hosted server's address would be listed.

/** Slack incoming webhooks: https://api.slack.com/messaging/webhooks and https://api.slack.com/reference/block-kit/blocks */
const plain = (max: number) => z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() }).strict();
const mrkdwn = (max: number) => z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max) }).strict();
const slackMessage = z
  .object({
    text: z.string().min(1).max(3000),
    blocks: z
      .array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('header'), text: plain(150) }).strict(),
          z.object({ type: z.literal('context'), elements: z.array(mrkdwn(3000)).min(1).max(10) }).strict(),
          z.object({ type: z.literal('section'), text: mrkdwn(3000).optional(), fields: z.array(mrkdwn(2000)).max(10).optional() }).strict(),
          z
            .object({
              type: z.literal('actions'),
              elements: z
                .array(z.object({ type: z.literal('button'), text: plain(75), url: z.string().url().max(3000) }).strict())
                .min(1)
                .max(25),
            })
            .strict(),
        ]),
      )
      .min(1)
      .max(50),
  })
  .strict();

/** Teams: a message with one Adaptive Card attachment, https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using */
const cardElement = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('TextBlock'),
      text: z.string().min(1),
      wrap: z.boolean(),
      weight: z.enum(['Default', 'Lighter', 'Bolder']).optional(),
      size: z.enum(['Small', 'Default', 'Medium', 'Large', 'ExtraLarge']).optional(),
      color: z.enum(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']).optional(),
      isSubtle: z.boolean().optional(),
      spacing: z.string().optional(),
    })
    .strict(),
  z.object({ type: z.literal('FactSet'), facts: z.array(z.object({ title: z.string(), value: z.string() }).strict()).min(1) }).strict(),
]);
const teamsMessage = z
  .object({
    type: z.literal('message'),
    attachments: z
      .array(
        z
          .object({
            contentType: z.literal('application/vnd.microsoft.card.adaptive'),
            contentUrl: z.null(),
            content: z
              .object({
                $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json'),
                type: z.literal('AdaptiveCard'),
                version: z.string().regex(/^1\.[0-5]$/),
                body: z.array(cardElement).min(1),
                actions: z.array(z.object({ type: z.literal('Action.OpenUrl'), title: z.string().min(1), url: z.string().url() }).strict()),
              })
              .strict(),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

/** Discord: https://discord.com/developers/docs/resources/webhook#execute-webhook and the embed limits. */
const discordMessage = z
  .object({
    embeds: z
      .array(
        z
          .object({
            title: z.string().max(256),
            url: z.string().url().optional(),
            description: z.string().max(4096),
            color: z.number().int().min(0).max(0xffffff),
            fields: z.array(z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean() }).strict()).max(25),
            footer: z.object({ text: z.string().max(2048) }).strict(),
            timestamp: z.string().datetime(),
          })
          .strict()
          .refine(
            (e) => e.title.length + e.description.length + e.footer.text.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0) <= 6000,
            'embed over 6000 characters',
          ),
      )
      .min(1)
      .max(10),
    allowed_mentions: z.object({ parse: z.array(z.string()).length(0) }).strict(),
  })
  .strict();

let site: TestSite;
const slack = await startReceiver();
let discordAnswers: Array<[number, string]> = [];
const discord = await startReceiver((_req, res) => {
  const [status, body] = discordAnswers.shift() ?? [204, ''];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
});
let teamsStatus = 200;
const teams = await startReceiver((_req, res) => {
  res.writeHead(teamsStatus);
  res.end(teamsStatus === 410 ? 'Webhook has been deleted' : '1');
});

beforeAll(async () => {
  site = await startTestSite({ seed: true, env: { WEBHOOK_ALLOW_PRIVATE: '1', CHAT_WEBHOOK_HOSTS: '127.0.0.1' } });
});
afterAll(async () => {
  await site?.close();
  await Promise.all([slack.close(), discord.close(), teams.close()]);
});

const incident = (name: string) =>
  openIncident(site.db, { name, status: 'investigating', body: `**${name}**: uploads fail when 1 < 2 & 3 > 2.`, notify: true }, { now: Date.now() }).incidentId;

describe('chat channels', () => {
  it('staff add Slack and Teams channels: each notification arrives in the platform’s own format, Slack at most one a second', async () => {
    const admin = await signedInStaff(site);
    expect(
      (await admin.post('/admin/subscribers', { intent: 'add_webhook', kind: 'slack', url: `${slack.url}/services/T0/B0/secret`, locale: 'en' })).status,
    ).toBe(303);
    expect((await admin.post('/admin/subscribers', { intent: 'add_webhook', kind: 'teams', url: `${teams.url}/workflows/abc`, locale: 'ja' })).status).toBe(
      303,
    );
    // The hook address is a password: the admin list and the audit log show only where it goes.
    const list = await (await admin.get('/admin/subscribers')).text();
    expect(list).not.toContain('/services/T0/B0/secret');
    expect(list).toContain('Slack');

    const id = incident('Uploads failing');
    postIncidentUpdate(site.db, id, { status: 'identified', body: 'A full disk on the upload store.', notify: true }, { now: Date.now() });
    const [first, second] = await until(() => (slack.received.length >= 2 ? slack.received : undefined), 15_000);
    const message = slackMessage.parse(JSON.parse(first!.body));
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Uploads failing', emoji: false } });
    const section = message.blocks.find((b) => b.type === 'section' && 'text' in b && b.text);
    // Slack's markup characters are escaped, so staff text cannot make links or mentions.
    expect(JSON.stringify(section)).toContain('1 &lt; 2 &amp; 3 &gt; 2');
    expect(JSON.stringify(message.blocks)).toContain(`/incidents/${id}`);
    slackMessage.parse(JSON.parse(second!.body));
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);

    const card = teamsMessage.parse(JSON.parse((await until(() => teams.received[0], 10_000)).body));
    const texts = card.attachments[0]!.content.body.flatMap((e) => (e.type === 'TextBlock' ? [e.text] : []));
    // The channel's language: Japanese status words.
    expect(texts.join('\n')).toContain('調査中');
  });

  it('a reader’s Discord channel gets only a confirmation until someone there confirms, then updates with a stop link', async () => {
    const url = `${discord.url}/api/webhooks/123/reader`;
    const asked = await postForm(site, '/subscribe', { channel: 'chat', kind: 'discord', url, scope: 'all', locale: 'en' });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toContain('/subscribe/sent?channel=chat');
    const confirmation = discordMessage.parse(JSON.parse((await until(() => discord.received[0], 10_000)).body));
    const link = /(http:\/\/[^\s)"]+\/subscribe\/chat\?token=[^\s)"\\]+)/.exec(JSON.stringify(confirmation))![1]!;
    const hook = site.db.select().from(webhooks).where(eq(webhooks.url, url)).get()!;
    expect(hook).toMatchObject({ addedBy: 'reader', confirmedAt: null });

    // Before confirmation: an incident queues nothing for the channel.
    incident('Before confirming');
    expect(site.db.select().from(outbox).where(eq(outbox.webhookId, hook.id)).all()).toHaveLength(1);

    // Following the link (as a chat app unfurling it would) changes nothing; the button does.
    const page = await fetch(link.replace(site.config.siteUrl, site.url));
    expect(page.status).toBe(200);
    expect(site.db.select().from(webhooks).where(eq(webhooks.id, hook.id)).get()!.confirmedAt).toBeNull();
    expect((await fetch(link.replace(site.config.siteUrl, site.url), { method: 'POST', headers: { origin: site.url } })).status).toBe(200);
    expect(site.db.select().from(webhooks).where(eq(webhooks.id, hook.id)).get()!.confirmedAt).not.toBeNull();

    // Discord asks to wait (429 with retry_after): the retry waits exactly that long, then the message lands.
    discordAnswers = [[429, JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.8, global: false })]];
    incident('Search is slow');
    const delivered = await until(() => (discord.received.length >= 3 ? discord.received : undefined), 15_000);
    expect(delivered[2]!.at - delivered[1]!.at).toBeGreaterThanOrEqual(750);
    const update = discordMessage.parse(JSON.parse(delivered[2]!.body));
    expect(update.embeds[0]!.title).toBe('Search is slow');
    const stop = /(http:\/\/[^\s)]+\/subscribe\/chat\?token=[^\s)"]+)/.exec(update.embeds[0]!.footer.text)![1]!;
    expect((await fetch(stop.replace(site.config.siteUrl, site.url), { method: 'POST', headers: { origin: site.url } })).status).toBe(200);
    expect(site.db.select().from(webhooks).where(eq(webhooks.id, hook.id)).get()).toMatchObject({ disabledReason: 'reader' });
  });

  it('a staff channel hears alert suggestions in its own language (and subscribers’ channels do not)', async () => {
    const staffHook = await startReceiver();
    const japaneseHook = await startReceiver();
    try {
      const admin = await signedInStaff(site);
      for (const [hook, locale] of [
        [staffHook, 'en'],
        [japaneseHook, 'ja'],
      ] as const) {
        expect(
          (
            await admin.post('/admin/subscribers', {
              intent: 'add_webhook',
              kind: 'slack',
              url: `${hook.url}/services/STAFF/B/${locale}`,
              locale,
              audience: 'staff',
            })
          ).status,
        ).toBe(303);
      }
      const before = slack.received.length;
      const { token } = createApiToken(site.db, { name: 'alerts', scopes: ['alerts'] }, { now: Date.now() });
      const sent = await fetch(`${site.url}/api/v1/integrations/webhook`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'queue-stuck', status: 'firing', title: 'Queue stuck', summary: 'jobs wait over 5 minutes' }),
      });
      expect(sent.status).toBe(200);
      const message = slackMessage.parse(JSON.parse((await until(() => staffHook.received[0], 10_000)).body));
      const all = JSON.stringify(message.blocks);
      expect(all).toContain('Queue stuck (jobs wait over 5 minutes)');
      expect(all).toContain('/admin/incidents/new?draft=');
      expect(all).toContain('Review and publish');
      const japanese = JSON.stringify(slackMessage.parse(JSON.parse((await until(() => japaneseHook.received[0], 10_000)).body)).blocks);
      expect(japanese).toContain('確認して公開する');
      expect(japanese).not.toContain('Review and publish');
      // Nothing about it reached the subscribers' Slack channel.
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.received.slice(before).some((r) => r.body.includes('Queue stuck'))).toBe(false);
    } finally {
      await staffHook.close();
      await japaneseHook.close();
    }
  });

  it('refuses addresses that are not the platform’s, and turns off a hook the platform says is gone', async () => {
    const refused = await postForm(site, '/subscribe', { channel: 'chat', kind: 'slack', url: 'https://example.com/services/x', scope: 'all', locale: 'en' });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('https://hooks.slack.com/services/');
    // What was typed stays in the chat form.
    expect(page).toContain('value="https://example.com/services/x"');

    teamsStatus = 410;
    const before = teams.received.length;
    incident('Gone hook');
    await until(() => (teams.received.length > before ? true : undefined), 10_000);
    const hook = await until(
      () =>
        site.db
          .select()
          .from(webhooks)
          .where(eq(webhooks.kind, 'teams'))
          .all()
          .find((h) => h.disabledReason === 'gone'),
      10_000,
    );
    expect(hook.disabledAt).not.toBeNull();
    const admin = await signedInStaff(site);
    expect(await (await admin.get('/admin/subscribers')).text()).toContain('the platform says this hook no longer exists');
  });
});

describe('a reader’s Teams channel', () => {
  it('is taken only at a Teams workflow or incoming webhook address', async () => {
    // No deliveries: the accepted addresses are Microsoft's, and nothing may leave loopback.
    const quiet = await startTestSite({ seed: true, env: { WORKER: 'off' } });
    try {
      const ask = (url: string) => postForm(quiet, '/subscribe', { channel: 'chat', kind: 'teams', url, scope: 'all', locale: 'en' });
      const teamsOwn = [
        'https://contoso.webhook.office.com/webhookb2/0c6f@72f9/IncomingWebhook/8a2b/4c1d',
        'https://prod-27.westus.logic.azure.com:443/workflows/5e1d/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x',
        'https://default1f2e.0a.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/9c3a/triggers/manual/paths/invoke?api-version=1&sig=x',
      ];
      for (const url of teamsOwn) expect((await ask(url)).status, url).toBe(303);
      const elsewhere = [
        'https://example.com/webhookb2/x',
        'https://contoso.webhook.office.com/not-a-hook',
        'https://contoso.webhook.office.com/',
        'https://prod-27.westus.logic.azure.com/somewhere/else',
        'https://webhook.office.com.example.net/webhookb2/x',
        'http://contoso.webhook.office.com/webhookb2/x',
        'https://contoso.webhook.office.com:8443/webhookb2/x',
      ];
      for (const url of elsewhere) {
        const refused = await ask(url);
        expect(refused.status, url).toBe(422);
        expect(await refused.text()).toContain('webhook.office.com');
      }
      expect(
        quiet.db
          .select()
          .from(webhooks)
          .all()
          .map((h) => h.url)
          .sort(),
      ).toEqual([...teamsOwn].sort());
    } finally {
      await quiet.close();
    }
  });
});
