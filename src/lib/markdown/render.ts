import sanitizeHtml from 'sanitize-html';
import { parseMarkdown } from './parse-markdown';

/** The prefix of every element id that comes from Markdown. */
const MARKDOWN_ID_PREFIX = 'md-';
const userId = (id: string) => (id.startsWith(MARKDOWN_ID_PREFIX) ? id : `${MARKDOWN_ID_PREFIX}${id}`);

/** Every tag rendered Markdown may hold; the email keeps them all but `input` (task boxes become spans there). */
export const MARKDOWN_TAGS = [
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'code',
  'em',
  'strong',
  'del',
  's',
  'a',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'img',
  'input',
  'sup',
  'sub',
  'kbd',
  'span',
] as const;

/**
 * The allowlist every piece of staff-written Markdown passes through on the
 * server. No scripts, styles, frames, forms or event handlers; links and
 * images only over http(s), mailto or site-relative paths.
 */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...MARKDOWN_TAGS],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align'],
    td: ['align'],
    input: ['type', 'checked', 'disabled'],
    code: ['class'],
    '*': ['id'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Ids staff write are prefixed, so Markdown can never take over an id the page itself uses (a form, a skip link's target).
    '*': (tagName, attribs) => ({ tagName, attribs: attribs.id ? { ...attribs, id: userId(attribs.id) } : attribs }),
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...attribs,
        ...(attribs.id ? { id: userId(attribs.id) } : {}),
        ...(attribs.href?.startsWith('#') ? { href: `#${userId(attribs.href.slice(1))}` } : {}),
        rel: 'nofollow noopener',
      },
    }),
    // Task-list checkboxes are the only inputs allowed, and never editable.
    input: (tagName, attribs) =>
      attribs.type === 'checkbox'
        ? { tagName, attribs: { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } }
        : { tagName: 'span', attribs: {} },
  },
  exclusiveFilter: (frame) => frame.tag === 'span' && !frame.text.trim() && Object.keys(frame.attribs).length === 0 && frame.mediaChildren.length === 0,
};
SANITIZE_OPTIONS.allowedAttributes = { ...SANITIZE_OPTIONS.allowedAttributes, a: ['href', 'title', 'rel'] };

const rendered = new Map<string, string>();
const MAX_REMEMBERED = 5_000;

/**
 * Renders staff-written Markdown to HTML that is safe to place in any page,
 * feed or email. Update texts rarely change and are shown on many pages, so
 * results are remembered (sanitising is the slow part).
 */
export function renderMarkdown(source: string): string {
  const known = rendered.get(source);
  if (known !== undefined) return known;
  // Task-list boxes become marks a screen reader can name: a disabled checkbox has no label to give.
  const html = sanitizeHtml(parseMarkdown(source), SANITIZE_OPTIONS)
    .replace(/<input type="checkbox" disabled checked \/>/g, '<span class="task task-done" role="img" aria-label="done">☑</span>')
    .replace(/<input type="checkbox" disabled \/>/g, '<span class="task" role="img" aria-label="not done">☐</span>');
  if (rendered.size >= MAX_REMEMBERED) rendered.delete(rendered.keys().next().value!);
  rendered.set(source, html);
  return html;
}
