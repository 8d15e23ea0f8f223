// One email as a small document (headline, status, blocks, footer) written
// out twice: as HTML that mail clients show well in light and dark mode, and
// as plain text that reads well on its own. Both come from the same blocks,
// so the two parts never tell different stories.
import { convert, type HtmlToTextOptions } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';
import type { Locale } from '../i18n/messages';
import { MARKDOWN_TAGS, renderMarkdown } from '../markdown/render';
import type { ComponentStatus, UpdateStatus } from '../status/vocabulary';
import { escapeHtml } from '../text/escape-html';

/** Colours that keep white text readable (4.5:1 or more) on both a light and a dark page. */
export const TONES = {
  critical: '#b3261e',
  major: '#b34d00',
  minor: '#8a6100',
  ok: '#1a7f5a',
  maintenance: '#2f5fb3',
  neutral: '#4f5863',
} as const;
export type Tone = keyof typeof TONES;

const UPDATE_TONES: Record<UpdateStatus, Tone> = {
  investigating: 'critical',
  identified: 'major',
  monitoring: 'minor',
  resolved: 'ok',
  postmortem: 'neutral',
  scheduled: 'maintenance',
  in_progress: 'maintenance',
  verifying: 'maintenance',
  completed: 'ok',
};
const COMPONENT_TONES: Record<ComponentStatus, Tone> = {
  operational: 'ok',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maintenance',
};
export const updateTone = (status: UpdateStatus): Tone => UPDATE_TONES[status];
export const componentTone = (status: ComponentStatus): Tone => COMPONENT_TONES[status];

interface Label {
  text: string;
  tone: Tone;
}

export type MailBlock =
  | { kind: 'status'; label: Label; when?: string }
  | { kind: 'paragraph'; text: string }
  /** Staff-written Markdown: sanitised HTML in one part, text with links spelled out in the other. */
  | { kind: 'markdown'; source: string }
  | { kind: 'components'; title: string; items: { name: string; status?: Label }[] }
  | { kind: 'button'; text: string; url: string }
  | { kind: 'note'; text: string };

export interface MailDocument {
  locale: Locale;
  siteName: string;
  siteUrl: string;
  headline: string;
  blocks: MailBlock[];
  /** Subscribers' mail carries its manage and unsubscribe links; staff mail has none. */
  footer: { text: string; manage?: { text: string; url: string }; unsubscribe?: { text: string; url: string } };
}

// Mail clients keep inline styles and often drop a style sheet, so each
// element carries its own; the sheet in <head> only adds what cannot be
// inline (dark mode, narrow screens), with !important to win over them.
const FONT = "system-ui, -apple-system, 'Segoe UI', 'Hiragino Sans', 'Noto Sans JP', 'Meiryo', sans-serif";
const MUTED = 'color: #4f5863;';
const S = {
  body: `margin: 0; padding: 0; background: #f6f7f9; color: #1b1f24; font-family: ${FONT}; font-size: 16px; line-height: 1.6; -webkit-text-size-adjust: 100%;`,
  outer: 'width: 100%; background: #f6f7f9;',
  pad: 'padding: 24px 12px;',
  card: 'max-width: 600px; margin: 0 auto; background: #ffffff; border: 1px solid #d5d9de; border-radius: 8px; padding: 24px;',
  site: `margin: 0 0 8px; font-size: 14px; ${MUTED}`,
  h1: 'margin: 0 0 12px; font-size: 22px; line-height: 1.3; color: #1b1f24; overflow-wrap: anywhere;',
  p: 'margin: 0 0 16px;',
  a: 'color: #0b5cad;',
  status: `margin: 0 0 20px; font-size: 14px; ${MUTED}`,
  badge:
    'display: inline-block; padding: 2px 10px; border-radius: 999px; color: #ffffff; font-weight: 600; font-size: 14px; line-height: 1.5; white-space: nowrap;',
  small:
    'display: inline-block; padding: 1px 8px; border-radius: 999px; color: #ffffff; font-weight: 600; font-size: 13px; line-height: 1.5; white-space: nowrap;',
  when: 'display: inline-block;',
  update: 'margin: 0 0 20px; overflow-wrap: anywhere;',
  components: 'margin: 0 0 20px;',
  h2: 'margin: 0 0 8px; font-size: 16px; color: #1b1f24;',
  list: 'margin: 0; padding: 0; list-style: none;',
  item: 'margin: 0 0 6px;',
  action: 'margin: 24px 0 8px;',
  button: 'display: inline-block; background: #0b5cad; color: #ffffff; text-decoration: none; font-weight: 600; padding: 12px 20px; border-radius: 6px;',
  note: `margin: 0 0 16px; font-size: 14px; ${MUTED}`,
  footer: `max-width: 600px; margin: 16px auto 0; font-size: 13px; ${MUTED}`,
  footerP: 'margin: 0 0 6px;',
} as const;

/** Inline styles for the elements staff Markdown produces. */
const MARKDOWN_STYLES: Record<string, string> = {
  p: S.p,
  a: S.a,
  pre: 'white-space: pre-wrap; background: #f6f7f9; border: 1px solid #d5d9de; border-radius: 4px; padding: 8px; font-size: 14px;',
  code: "font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 14px;",
  blockquote: `margin: 0 0 16px; padding-left: 12px; border-left: 3px solid #d5d9de; ${MUTED}`,
  table: 'border-collapse: collapse; margin: 0 0 16px;',
  th: 'border: 1px solid #d5d9de; padding: 4px 8px; text-align: left;',
  td: 'border: 1px solid #d5d9de; padding: 4px 8px; text-align: left;',
};

/** What renderMarkdown can put out (its allowlist, task boxes already turned into spans). */
const EMAIL_TAGS = MARKDOWN_TAGS.filter((tag) => tag !== 'input');

const SHEET = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  body, .outer { background: #121417 !important; color: #e8eaed !important; }
  .card { background: #1b1f24 !important; border-color: #353b43 !important; }
  h1, .components h2 { color: #e8eaed !important; }
  .site, .status, .note, .footer, .update blockquote { color: #aab2bd !important; }
  a { color: #7cb8ff !important; }
  a.button { color: #ffffff !important; }
  .update pre { background: #121417 !important; border-color: #353b43 !important; }
  .update th, .update td, .update blockquote { border-color: #353b43 !important; }
}
@media (max-width: 480px) {
  .pad { padding: 12px 0 !important; }
  .card { border-radius: 0 !important; border-left: 0 !important; border-right: 0 !important; padding: 20px 16px !important; }
  .footer { padding: 0 16px !important; }
}`;

const badge = (label: Label, small = false) =>
  `<span class="badge tone-${label.tone}${small ? ' small' : ''}" style="${small ? S.small : S.badge} background: ${TONES[label.tone]};">${escapeHtml(label.text)}</span>`;

const styled = new Map<string, string>();
const MAX_STYLED = 500;

/**
 * Staff Markdown as mail HTML: sanitised as everywhere, links relative to the
 * site made absolute (they only work in a mail once they name it), and each
 * element given its inline style. The input is already sanitised, so this
 * pass only rewrites attributes.
 */
function markdownHtml(source: string, siteUrl: string): string {
  const key = `${siteUrl}\n${source}`;
  const known = styled.get(key);
  if (known !== undefined) return known;
  const withStyle = (tagName: string, attribs: sanitizeHtml.Attributes) => {
    const out: sanitizeHtml.Attributes = { ...attribs };
    const style = MARKDOWN_STYLES[tagName];
    if (style) out.style = style;
    for (const name of ['href', 'src']) if (out[name]?.startsWith('/') && !out[name].startsWith('//')) out[name] = `${siteUrl}${out[name]}`;
    return { tagName, attribs: out };
  };
  const html = sanitizeHtml(renderMarkdown(source), {
    allowedTags: EMAIL_TAGS,
    allowedAttributes: false,
    parseStyleAttributes: false,
    transformTags: Object.fromEntries([...Object.keys(MARKDOWN_STYLES), 'img'].map((tag) => [tag, withStyle])),
  });
  if (styled.size >= MAX_STYLED) styled.delete(styled.keys().next().value!);
  styled.set(key, html);
  return html;
}

function blockHtml(block: MailBlock, siteUrl: string): string {
  switch (block.kind) {
    case 'status':
      return `<p class="status" style="${S.status}">${badge(block.label)}${block.when ? ` <span class="when" style="${S.when}">${escapeHtml(block.when)}</span>` : ''}</p>`;
    case 'paragraph':
      return `<p style="${S.p}">${escapeHtml(block.text)}</p>`;
    case 'note':
      return `<p class="note" style="${S.note}">${escapeHtml(block.text)}</p>`;
    case 'markdown':
      return `<div class="update" style="${S.update}">${markdownHtml(block.source, siteUrl)}</div>`;
    case 'components':
      return `<div class="components" style="${S.components}"><h2 style="${S.h2}">${escapeHtml(block.title)}</h2><ul style="${S.list}">${block.items
        .map((c) => `<li style="${S.item}">${escapeHtml(c.name)}${c.status ? ` ${badge(c.status, true)}` : ''}</li>`)
        .join('')}</ul></div>`;
    case 'button':
      return `<p class="action" style="${S.action}"><a class="button" href="${escapeHtml(block.url)}" style="${S.button}">${escapeHtml(block.text)}</a></p>`;
  }
}

/** The HTML part: a centred card with inline styles, and a style sheet for dark mode and narrow screens. */
export function mailHtml(doc: MailDocument): string {
  const { footer } = doc;
  const link = (l: { text: string; url: string }) => `<a href="${escapeHtml(l.url)}" style="${S.a}">${escapeHtml(l.text)}</a>`;
  return `<!doctype html>
<html lang="${doc.locale}" style="color-scheme: light dark;">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(doc.headline)}</title>
<style>${SHEET}
</style>
</head>
<body style="${S.body}">
<div class="outer" style="${S.outer}"><div class="pad" style="${S.pad}">
<div class="card" style="${S.card}">
<p class="site" style="${S.site}">${escapeHtml(doc.siteName)}</p>
<h1 style="${S.h1}">${escapeHtml(doc.headline)}</h1>
${doc.blocks.map((b) => blockHtml(b, doc.siteUrl)).join('\n')}
</div>
<div class="footer" style="${S.footer}"><p style="${S.footerP}">${escapeHtml(footer.text)}</p>${footer.manage && footer.unsubscribe ? `<p style="${S.footerP}">${link(footer.manage)} · ${link(footer.unsubscribe)}</p>` : ''}</div>
</div></div>
</body>
</html>`;
}

function textOptions(siteUrl: string): HtmlToTextOptions {
  const heading = { uppercase: false, leadingLineBreaks: 1, trailingLineBreaks: 1 };
  return {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, baseUrl: siteUrl, linkBrackets: ['<', '>'] } },
      { selector: 'img', options: { baseUrl: siteUrl, linkBrackets: ['<', '>'] } },
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: heading })),
      { selector: 'table', format: 'dataTable' },
    ],
  };
}

const texts = new Map<string, string>();

/** Staff-written Markdown as plain text: no syntax left, links spelled out as addresses. */
export function markdownText(source: string, siteUrl: string): string {
  const key = `${siteUrl}\n${source}`;
  const known = texts.get(key);
  if (known !== undefined) return known;
  const text = convert(renderMarkdown(source), textOptions(siteUrl)).trim();
  if (texts.size >= MAX_STYLED) texts.delete(texts.keys().next().value!);
  texts.set(key, text);
  return text;
}

/** The plain-text part, block for block the same as the HTML. */
export function mailText(doc: MailDocument): string {
  const out: string[] = [doc.headline, ''];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'status':
        out.push(block.when ? `[${block.label.text}] ${block.when}` : `[${block.label.text}]`);
        break;
      case 'paragraph':
      case 'note':
        out.push(block.text);
        break;
      case 'markdown':
        out.push(markdownText(block.source, doc.siteUrl));
        break;
      case 'components':
        out.push(`${block.title}:`, ...block.items.map((c) => `- ${c.name}${c.status ? `: ${c.status.text}` : ''}`));
        break;
      case 'button':
        out.push(`${block.text}:`, block.url);
        break;
    }
    out.push('');
  }
  const { footer } = doc;
  out.push('--', footer.text);
  if (footer.manage && footer.unsubscribe) out.push(`${footer.manage.text}: ${footer.manage.url}`, `${footer.unsubscribe.text}: ${footer.unsubscribe.url}`);
  return out.join('\n');
}
