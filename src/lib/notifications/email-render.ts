// One email as a small document (headline, status, blocks, footer) written
// out twice: as HTML that mail clients show well in light and dark mode, and
// as plain text that reads well on its own. Both come from the same blocks,
// so the two parts never tell different stories.
import { randomUUID } from 'node:crypto';
import { convert, type HtmlToTextOptions } from 'html-to-text';
import juice from 'juice';
import type { Locale } from '../i18n/messages';
import { renderMarkdown } from '../markdown/render';
import type { ComponentStatus, UpdateStatus } from '../status/vocabulary';
import { escapeHtml } from '../views/uptime-strip-html';

/** Colours that keep white text readable (4.5:1 or more) on both a light and a dark page. */
const TONES = {
  critical: '#b3261e',
  major: '#b34d00',
  minor: '#8a6100',
  ok: '#1a7f5a',
  maintenance: '#2f5fb3',
  neutral: '#4f5863',
} as const;
type Tone = keyof typeof TONES;

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
  footer: { text: string; manage: { text: string; url: string }; unsubscribe: { text: string; url: string } };
}

const STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; background: #f6f7f9; color: #1b1f24; font-family: system-ui, -apple-system, 'Segoe UI', 'Hiragino Sans', 'Noto Sans JP', 'Meiryo', sans-serif; font-size: 16px; line-height: 1.6; -webkit-text-size-adjust: 100%; }
.outer { width: 100%; background: #f6f7f9; }
.pad { padding: 24px 12px; }
.card { max-width: 600px; margin: 0 auto; background: #ffffff; border: 1px solid #d5d9de; border-radius: 8px; padding: 24px; }
.site { margin: 0 0 8px; font-size: 14px; color: #4f5863; }
h1 { margin: 0 0 12px; font-size: 22px; line-height: 1.3; color: #1b1f24; overflow-wrap: anywhere; }
p { margin: 0 0 16px; }
a { color: #0b5cad; }
.status { margin: 0 0 20px; font-size: 14px; color: #4f5863; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #ffffff; font-weight: 600; font-size: 14px; line-height: 1.5; white-space: nowrap; }
.small { padding: 1px 8px; font-size: 13px; }
.when { display: inline-block; }
.update { margin: 0 0 20px; overflow-wrap: anywhere; }
.update pre { white-space: pre-wrap; background: #f6f7f9; border: 1px solid #d5d9de; border-radius: 4px; padding: 8px; font-size: 14px; }
.update code { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 14px; }
.update blockquote { margin: 0 0 16px; padding-left: 12px; border-left: 3px solid #d5d9de; color: #4f5863; }
.update table { border-collapse: collapse; margin: 0 0 16px; }
.update th, .update td { border: 1px solid #d5d9de; padding: 4px 8px; text-align: left; }
.components { margin: 0 0 20px; }
.components h2 { margin: 0 0 8px; font-size: 16px; color: #1b1f24; }
.components ul { margin: 0; padding: 0; list-style: none; }
.components li { margin: 0 0 6px; }
.action { margin: 24px 0 8px; }
.button { display: inline-block; background: #0b5cad; color: #ffffff; text-decoration: none; font-weight: 600; padding: 12px 20px; border-radius: 6px; }
.note { font-size: 14px; color: #4f5863; }
.footer { max-width: 600px; margin: 16px auto 0; font-size: 13px; color: #4f5863; }
.footer p { margin: 0 0 6px; }
${Object.entries(TONES)
  .map(([tone, colour]) => `.tone-${tone} { background: ${colour}; }`)
  .join('\n')}
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
}
`;

const badge = (label: Label, extra = '') => `<span class="badge tone-${label.tone}${extra}">${escapeHtml(label.text)}</span>`;

/** Links Markdown writes relative to the site only work in a mail once they name the site. */
function absoluteLinks(html: string, siteUrl: string): string {
  return html.replace(/(href|src)="\/(?!\/)/g, (_, attribute: string) => `${attribute}="${siteUrl}/`);
}

function blockHtml(block: MailBlock, siteUrl: string, slot: (url: string) => string): string {
  switch (block.kind) {
    case 'status':
      return `<p class="status">${badge(block.label)}${block.when ? ` <span class="when">${escapeHtml(block.when)}</span>` : ''}</p>`;
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'note':
      return `<p class="note">${escapeHtml(block.text)}</p>`;
    case 'markdown':
      return `<div class="update">${absoluteLinks(renderMarkdown(block.source), siteUrl)}</div>`;
    case 'components':
      return `<div class="components"><h2>${escapeHtml(block.title)}</h2><ul>${block.items
        .map((c) => `<li>${escapeHtml(c.name)}${c.status ? ` ${badge(c.status, ' small')}` : ''}</li>`)
        .join('')}</ul></div>`;
    case 'button':
      return `<p class="action"><a class="button" href="${slot(block.url)}">${escapeHtml(block.text)}</a></p>`;
  }
}

// Inlining parses the whole document (tens of milliseconds), so it is done
// once per distinct document with its links left as slots: a fan-out to many
// subscribers inlines each language's mail once, and each subscriber's
// signed links are put in afterwards.
const inlined = new Map<string, string>();
const MAX_INLINED = 200;

function inlineStyles(html: string): string {
  const known = inlined.get(html);
  if (known !== undefined) return known;
  const out = juice(html, { preserveMediaQueries: true, removeStyleTags: true, applyWidthAttributes: false, applyHeightAttributes: false });
  if (inlined.size >= MAX_INLINED) inlined.delete(inlined.keys().next().value!);
  inlined.set(html, out);
  return out;
}

/** Slots no text can contain by chance: staff cannot guess this process's name for them. */
const SLOT_PREFIX = `https://${randomUUID()}.invalid/`;

/** The HTML part: a centred card with inline styles, and a style sheet kept for dark mode and narrow screens. */
export function mailHtml(doc: MailDocument): string {
  const { footer } = doc;
  const urls: string[] = [];
  const slot = (url: string) => `${SLOT_PREFIX}${urls.push(url) - 1}`;
  const template = `<!doctype html>
<html lang="${doc.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(doc.headline)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="outer"><div class="pad">
<div class="card">
<p class="site">${escapeHtml(doc.siteName)}</p>
<h1>${escapeHtml(doc.headline)}</h1>
${doc.blocks.map((b) => blockHtml(b, doc.siteUrl, slot)).join('\n')}
</div>
<div class="footer"><p>${escapeHtml(footer.text)}</p><p><a href="${slot(footer.manage.url)}">${escapeHtml(footer.manage.text)}</a> · <a href="${slot(footer.unsubscribe.url)}">${escapeHtml(footer.unsubscribe.text)}</a></p></div>
</div></div>
</body>
</html>`;
  return inlineStyles(template).replace(new RegExp(`${SLOT_PREFIX.replace(/[.]/g, '\\.')}(\\d+)`, 'g'), (_, i: string) => escapeHtml(urls[Number(i)]!));
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
function markdownText(source: string, siteUrl: string): string {
  const key = `${siteUrl}\n${source}`;
  const known = texts.get(key);
  if (known !== undefined) return known;
  const text = convert(renderMarkdown(source), textOptions(siteUrl)).trim();
  if (texts.size >= MAX_INLINED) texts.delete(texts.keys().next().value!);
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
  out.push('--', footer.text, `${footer.manage.text}: ${footer.manage.url}`, `${footer.unsubscribe.text}: ${footer.unsubscribe.url}`);
  return out.join('\n');
}
