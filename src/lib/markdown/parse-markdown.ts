import { Marked, Tokenizer, type Tokens } from 'marked';
import { escapeHtml } from '../text/escape-html';

/**
 * The longest text rendered as Markdown: the longest field that holds
 * Markdown (a postmortem's body). Anything past it, say in a postmortem file
 * edited by hand, is shown as plain text.
 */
export const MAX_MARKDOWN_CHARS = 200_000;

/**
 * Quotes and lists nested deeper than this are shown as the text that was
 * typed. Each level re-reads its content (`>` repeated 2,000 times overflowed
 * the stack; indentation 500 levels deep took 2 s in 200,000 characters).
 */
const MAX_NESTING = 16;

/**
 * How much text, per render, the emphasis and strikethrough tokenizers may
 * look through for a closing delimiter. Each opening `*`, `_` or `~` without a
 * match scans to the end of its paragraph, so a paragraph of unmatched
 * delimiters is quadratic (`_a` repeated: 20,000 characters 0.3 s, 200,000 over
 * 30 s on marked 18.2.1). A match costs the length of what it emphasises, so
 * ordinary text spends little of this; past it, the remaining delimiters are
 * shown as typed. Scanning a million characters takes about 50 ms.
 */
const EMPHASIS_SCAN_BUDGET = 1_000_000;

/**
 * GFM finds e-mail addresses by looking, at every stop in a word (`_`, `*`,
 * `~`, `` ` ``, `!`), through the rest of the word for an `@`; a 20,000-character
 * word of `__a` took 2 s. Addresses are short (254 characters at most), so
 * inside a longer word the text and autolink tokenizers are handed a window of
 * it instead of the whole rest of the paragraph.
 */
const LONG_WORD = 320;
const WORD_CHARS = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?_`{|}~-") WORD_CHARS[c.charCodeAt(0)] = 1;

/** The text, cut to LONG_WORD characters if it starts with a word longer than that. */
function wordWindow(src: string): string {
  const end = Math.min(src.length, LONG_WORD + 1);
  for (let i = 0; i < end; i++) {
    const code = src.charCodeAt(i);
    if (code >= 128 || WORD_CHARS[code] === 0) return src;
  }
  return end > LONG_WORD ? src.slice(0, LONG_WORD) : src;
}

/** Where GFM's bare-link rule can match: a scheme or `www.`, then a host character (as marked spells them). */
const LINK_START = /^(?:[hH][tT][tT][pP][sS]?:\/\/|[fF][tT][pP]:\/\/|www\.)[a-zA-Z0-9-]/;
const LINK_TAIL_CHARS = new Set('?!.,:;*_\'"~)');
/** More trailing punctuation than a link ends with; GFM takes it off one character per pass over the link. */
const MAX_LINK_TAIL = 32;

/**
 * The text from a bare link's start, cut so that at most MAX_LINK_TAIL of the
 * punctuation after it is left: `http://a` and 200,000 `)` took 14 s, as each
 * `)` taken off the end was one more pass over the link. Only called where the
 * rule will match, and the link then takes the whole word but that tail, so
 * each word is looked through once (`http://.` repeated, where it cannot match,
 * took 38 s when every one of them looked to the end of the word).
 */
function linkWindow(src: string): string {
  let end = 0;
  while (end < src.length && src[end] !== '<' && !/\s/.test(src[end]!)) end++;
  let tail = end;
  while (tail > 0 && LINK_TAIL_CHARS.has(src[tail - 1]!)) tail--;
  return end - tail > MAX_LINK_TAIL ? src.slice(0, tail + MAX_LINK_TAIL) : src;
}

/**
 * Raw HTML tags passed through per render. The sanitiser's parser keeps open
 * elements in an array it inserts at the front of, so unclosed tags cost the
 * square of their number (`<b>` repeated, 200,000 characters: 3 s). Past this
 * many, a tag is shown as the text that was typed.
 */
const RAW_TAG_BUDGET = 2_000;

/**
 * The longest inline code span. marked finds a span's end with a lazy scan
 * that, for a backtick run no run of its length closes, goes to the end of
 * the paragraph, twice (once to find spans, once to mask them from emphasis):
 * `` \``` `` repeated, 200,000 characters, took 19 s. Longer code belongs in a
 * fenced block, which is read line by line.
 */
const MAX_CODE_SPAN = 1_000;

type InlineRules = Record<string, RegExp>;
const boundedRules = new WeakMap<InlineRules, InlineRules>();

/** marked's inline rules with the two code-span scans bounded to MAX_CODE_SPAN characters. */
function withBoundedCodeSpans(inline: InlineRules): InlineRules {
  let bounded = boundedRules.get(inline);
  if (!bounded) {
    const span = `(\`+)([^\`]|[^\`][\\s\\S]{0,${MAX_CODE_SPAN}}?[^\`])\\1(?!\`)`;
    bounded = {
      ...inline,
      code: new RegExp(`^${span}`),
      anyPunctuationOutsideCode: new RegExp(`${span.replace('([^`]|', '(?:[^`]|')}|\`+|\\\\([\\p{P}\\p{S}])`, 'gu'),
    };
    boundedRules.set(inline, bounded);
  }
  return bounded;
}

const original = Tokenizer.prototype;
let nesting = 0;
let emphasisScanLeft = EMPHASIS_SCAN_BUDGET;
let rawTagsLeft = RAW_TAG_BUDGET;

/** Charges `count` raw tags against the render's budget; false once it is spent. */
function mayPassTags(count: number): boolean {
  if (rawTagsLeft < count) return false;
  rawTagsLeft -= count;
  return true;
}

function countTags(html: string): number {
  let count = 0;
  for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) count++;
  return count;
}

/**
 * Runs an emphasis or strikethrough tokenizer if the render's scan budget can
 * pay for its worst case, the rest of the text. The worst case is reserved
 * before the call, because a match reads what it emphasises inside the call
 * (`***…a***…` nests as deep as it is long); a match then gives back all but
 * its own length.
 */
function scanned<T extends { raw: string }>(rest: string, tokenize: () => T | undefined): T | undefined {
  if (emphasisScanLeft < rest.length) return undefined;
  emphasisScanLeft -= rest.length;
  const token = tokenize();
  if (token) emphasisScanLeft += rest.length - token.raw.length;
  return token;
}

/**
 * marked with a ceiling on the parts of it (and of the sanitiser after it) that
 * are not linear in their input: nesting depth, the delimiter scans of emphasis
 * and strikethrough, the e-mail and link scans of GFM autolinks, and raw HTML. These
 * limits sit inside the parser, so they hold wherever a text comes from (fenced
 * code is never touched, as it never reaches those tokenizers). Returning
 * undefined means "no match here": the text is then read as what it would be
 * without the construct (a paragraph, a literal `*`).
 */
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  tokenizer: {
    blockquote(src) {
      if (nesting >= MAX_NESTING) return undefined;
      nesting++;
      try {
        return original.blockquote.call(this, src);
      } finally {
        nesting--;
      }
    },
    list(src) {
      if (nesting >= MAX_NESTING) return undefined;
      nesting++;
      try {
        return original.list.call(this, src);
      } finally {
        nesting--;
      }
    },
    html(src) {
      if (rawTagsLeft <= 0) return undefined;
      const token = original.html.call(this, src);
      if (!token) return undefined;
      if (mayPassTags(countTags(token.raw))) return token;
      // An unclosed comment runs to the end of the text: refused, its lines must not each read to the end again.
      rawTagsLeft = 0;
      return undefined;
    },
    tag(src) {
      if (rawTagsLeft <= 0) return undefined;
      const token = original.tag.call(this, src);
      return token && mayPassTags(1) ? token : undefined;
    },
    emStrong(src, maskedSrc, prevChar) {
      if (src[0] !== '*' && src[0] !== '_') return undefined;
      return scanned(src, () => original.emStrong.call(this, src, maskedSrc, prevChar) as Tokens.Em | Tokens.Strong | undefined);
    },
    url(src) {
      return original.url.call(this, LINK_START.test(src) ? linkWindow(src) : wordWindow(src));
    },
    inlineText(src) {
      return original.inlineText.call(this, wordWindow(src));
    },
    del(src, maskedSrc, prevChar) {
      if (src[0] !== '~') return undefined;
      return scanned(src, () => original.del.call(this, src, maskedSrc, prevChar));
    },
  },
});

// The lexer hands the tokenizer marked's shared rules at the start of every
// parse; this instance's tokenizer takes them with the code-span scans bounded,
// leaving marked's own objects (and any other user of them) as they are.
const tokenizer = marked.defaults.tokenizer!;
let rules: { inline: InlineRules } | undefined;
Object.defineProperty(tokenizer, 'rules', {
  get: () => rules,
  set: (given: { inline: InlineRules }) => {
    rules = { ...given, inline: withBoundedCodeSpans(given.inline) };
  },
});

/** Text past the Markdown limit, as escaped paragraphs split at blank lines. */
function plainParagraphs(text: string): string {
  return text
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${escapeHtml(p)}</p>\n`)
    .join('');
}

/** Markdown to (unsanitised) HTML, in time linear in the length of `source`. */
export function parseMarkdown(source: string): string {
  nesting = 0;
  emphasisScanLeft = EMPHASIS_SCAN_BUDGET;
  rawTagsLeft = RAW_TAG_BUDGET;
  const markdown = source.length > MAX_MARKDOWN_CHARS ? source.slice(0, MAX_MARKDOWN_CHARS) : source;
  const html = marked.parse(markdown) as string;
  return markdown === source ? html : html + plainParagraphs(source.slice(MAX_MARKDOWN_CHARS));
}
