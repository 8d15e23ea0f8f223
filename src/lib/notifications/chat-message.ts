// A notification as a chat message, in each platform's own format: Slack
// blocks, a Microsoft Teams Adaptive Card, a Discord embed; and as a browser
// notification's short title and text. Written from the
// same document as the email (headline, status, text, components, links), so
// the channels never tell different stories. Staff text goes in as plain
// text with links spelled out (the email's text part), cut to each
// platform's documented limits, and never pings anyone.
import { markdownText, TONES, type MailDocument, type Tone } from './email-render';

import { CHAT_KINDS, WEBHOOK_KINDS } from '../../../db/vocabulary';

export { CHAT_KINDS, WEBHOOK_KINDS };
export type ChatKind = (typeof CHAT_KINDS)[number];

export interface ChatFooter {
  text: string;
  /** The link that stops these messages, for channels a reader added. */
  stop?: { text: string; url: string };
}

/** The document's parts, flattened the way every platform needs them. */
interface Parts {
  title: string;
  status?: { text: string; tone: Tone; when?: string };
  paragraphs: string[];
  fields: { name: string; value: string }[];
  links: { text: string; url: string }[];
  footer: ChatFooter;
}

function partsOf(doc: MailDocument, footer: ChatFooter): Parts {
  const parts: Parts = { title: doc.headline, paragraphs: [], fields: [], links: [], footer };
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'status':
        parts.status = { text: block.label.text, tone: block.label.tone, when: block.when };
        break;
      case 'paragraph':
      case 'note':
        parts.paragraphs.push(block.text);
        break;
      case 'markdown':
        parts.paragraphs.push(markdownText(block.source, doc.siteUrl));
        break;
      case 'components':
        for (const item of block.items) parts.fields.push({ name: item.name, value: item.status?.text ?? block.title });
        break;
      case 'button':
        parts.links.push({ text: block.text, url: block.url });
        break;
    }
  }
  return parts;
}

/** Cuts to a platform's limit, marking the cut. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn treats &, < and > as markup: https://api.slack.com/reference/surfaces/formatting#escaping */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const statusLine = (s: Parts['status']) => (s ? `${s.text}${s.when ? ` · ${s.when}` : ''}` : '');

function slack(p: Parts): unknown {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: cut(p.title, 150), emoji: false } }];
  if (p.status)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: cut(`*${slackEscape(p.status.text)}*${p.status.when ? ` · ${slackEscape(p.status.when)}` : ''}`, 3000) }],
    });
  const text = p.paragraphs.join('\n\n');
  if (text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(text), 3000) } });
  if (p.fields.length > 0)
    blocks.push({
      type: 'section',
      fields: p.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${slackEscape(f.name)}*\n${slackEscape(f.value)}`, 2000) })),
    });
  if (p.links.length > 0)
    blocks.push({
      type: 'actions',
      elements: p.links.slice(0, 5).map((l) => ({ type: 'button', text: { type: 'plain_text', text: cut(l.text, 75), emoji: false }, url: l.url })),
    });
  const footer = slackEscape(p.footer.text) + (p.footer.stop ? ` · <${p.footer.stop.url}|${slackEscape(p.footer.stop.text)}>` : '');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(footer, 3000) }] });
  // `text` is what notifications and clients without blocks show.
  return { text: cut([p.title, statusLine(p.status)].filter(Boolean).join(' — '), 3000), blocks };
}

/** Adaptive Card text colours for each tone: https://adaptivecards.io/explorer/TextBlock.html */
const TEAMS_COLOURS: Record<Tone, string> = {
  critical: 'Attention',
  major: 'Attention',
  minor: 'Warning',
  ok: 'Good',
  maintenance: 'Accent',
  neutral: 'Default',
};

function teams(p: Parts): unknown {
  const body: unknown[] = [{ type: 'TextBlock', text: p.title, weight: 'Bolder', size: 'Medium', wrap: true }];
  if (p.status)
    body.push({ type: 'TextBlock', text: statusLine(p.status), color: TEAMS_COLOURS[p.status.tone], weight: 'Bolder', spacing: 'Small', wrap: true });
  for (const text of p.paragraphs) body.push({ type: 'TextBlock', text, wrap: true });
  if (p.fields.length > 0) body.push({ type: 'FactSet', facts: p.fields.map((f) => ({ title: f.name, value: f.value })) });
  body.push({ type: 'TextBlock', text: p.footer.text, isSubtle: true, size: 'Small', wrap: true });
  const actions = [...p.links, ...(p.footer.stop ? [p.footer.stop] : [])].map((l) => ({ type: 'Action.OpenUrl', title: l.text, url: l.url }));
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, actions },
      },
    ],
  };
}

/** Discord's embed limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits */
function discord(p: Parts, timestamp: string): unknown {
  const links = p.links.map((l) => `[${l.text}](${l.url})`);
  const description = [statusLine(p.status) && `**${statusLine(p.status)}**`, ...p.paragraphs, links.join(' · ')].filter(Boolean).join('\n\n');
  const footer = p.footer.stop ? `${p.footer.text} · ${p.footer.stop.text}: ${p.footer.stop.url}` : p.footer.text;
  const embed = {
    title: cut(p.title, 256),
    ...(p.links[0] ? { url: p.links[0].url } : {}),
    description: cut(description, 3000),
    color: parseInt(TONES[p.status?.tone ?? 'neutral'].slice(1), 16),
    fields: p.fields.slice(0, 25).map((f) => ({ name: cut(f.name, 256), value: cut(f.value, 1024), inline: true })),
    footer: { text: cut(footer, 1000) },
    timestamp,
  };
  // All of an embed's texts together may not pass 6,000 characters: components go first, from the end.
  const size = () =>
    embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  while (size() > 5_900 && embed.fields.length > 0) embed.fields.pop();
  // No @everyone, @here or role pings, whatever staff wrote.
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/** The JSON body a platform's incoming webhook takes for this notification. */
export function chatBody(kind: ChatKind, doc: MailDocument, footer: ChatFooter, sentAt: number): string {
  const parts = partsOf(doc, footer);
  const body = kind === 'slack' ? slack(parts) : kind === 'teams' ? teams(parts) : discord(parts, new Date(sentAt).toISOString());
  return JSON.stringify(body);
}

/**
 * What a browser notification shows, as the service worker (public/sw.js)
 * reads it: a title, one short paragraph, the page to open, and a tag that
 * makes a later notification about the same thing replace this one. Kept
 * well under the 4 KiB push services carry once encrypted.
 */
export function pushPayload(doc: MailDocument, options: { tag: string; fallbackUrl: string; sentAt: number }): string {
  const parts = partsOf(doc, { text: '' });
  const lines = [parts.status ? statusLine(parts.status) : '', ...parts.paragraphs].filter(Boolean);
  return JSON.stringify({
    title: cut(parts.title || doc.siteName, 120),
    body: cut(lines.join('\n'), 300),
    url: parts.links[0]?.url ?? options.fallbackUrl,
    tag: options.tag,
    lang: doc.locale,
    timestamp: options.sentAt,
  });
}
