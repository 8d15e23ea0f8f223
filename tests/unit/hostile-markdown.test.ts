import { beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/lib/markdown/render';
import { MAX_MARKDOWN_CHARS } from '../../src/lib/markdown/parse-markdown';
import { renderBody } from '../../src/lib/postmortems/postmortem-view';
import { MAX_POSTMORTEM_CHARS } from '../../src/lib/postmortems/save-postmortem';
import { MAX_SUMMARY_CHARS } from '../../src/lib/postmortems/front-matter';
import { MAX_BODY_CHARS } from '../../src/lib/validation';
import { cpuMs, cpuMsAgainst } from '../support/cpu-time';

/** `unit` repeated to exactly `n` characters. */
const repeat = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
/** Lines from `line(i)` until there are `n` characters. */
function lines(n: number, line: (i: number) => string): string {
  let text = '';
  for (let i = 0; text.length < n; i++) text += line(i);
  return text.slice(0, n);
}

const PROSE =
  'The database primary in **us-east** failed over at 14:02 UTC; see [the runbook](https://example.com/runbook) and `pg_ctl promote`. ' +
  'Customers saw _elevated_ error rates.\n\n- one item\n- two, with a [link](https://a.example)\n\n';

/**
 * The shapes that made some Markdown parser super-linear or overflow its stack:
 * unclosed link destinations (cubic in marked 16), unmatched emphasis inside
 * one long word (e-mail detection looks through the rest of the word at every
 * stop), links with long punctuation tails, deep nesting, and the usual
 * brackets, whitespace, tags and backticks.
 */
const HOSTILE: Record<string, (n: number) => string> = {
  'unclosed links `[a](`': (n) => repeat('[a](', n),
  'unclosed images `![a](`': (n) => repeat('![a](', n),
  'emphasis before unclosed links `*[a](`': (n) => repeat('*[a](', n),
  'empty links `[](`': (n) => repeat('[](', n),
  'open brackets `[`': (n) => repeat('[', n),
  'nested brackets': (n) => '['.repeat(n / 2) + ']'.repeat(n / 2),
  'nested images `[![`': (n) => repeat('[![', n),
  'unmatched emphasis in one word `*a_`': (n) => repeat('*a_', n),
  'unmatched strong in one word `__a`': (n) => repeat('__a', n),
  'underscores in one word `a_`': (n) => repeat('a_', n),
  'alternating `_a`': (n) => repeat('_a', n),
  'alternating `*a`': (n) => repeat('*a', n),
  'strikethrough `~a`': (n) => repeat('~a', n),
  'nested emphasis `***…a***…`': (n) => '*'.repeat(n / 2) + 'a' + '*'.repeat(n / 2 - 1),
  'a bare link with a long tail `http://a)))…`': (n) => 'http://a' + repeat(')', n - 8),
  'bare links `www.a.`': (n) => repeat('www.a.', n),
  'link starts that cannot match `http://.`': (n) => repeat('http://.', n),
  'link starts in one word `ftp://)`': (n) => repeat('ftp://)', n),
  'e-mail-like words `a@a.`': (n) => repeat('a@a.', n),
  'quotes nested on one line `>>>…`': (n) => repeat('>', n),
  'lists nested on one line `1. 1. …`': (n) => repeat('1. ', n),
  'quoted lists `> - > - …`': (n) => repeat('> - ', n),
  'lists nested by indentation': (n) => lines(n, (i) => ' '.repeat(2 * i) + '- a\n'),
  'a long run of spaces': (n) => 'a' + ' '.repeat(n - 2) + 'b',
  'open tags `<`': (n) => repeat('<', n),
  'unclosed tags `<b>`': (n) => repeat('<b>', n),
  'unclosed tags in an HTML block': (n) => '<div>\n' + repeat('<b>', n - 6),
  'unclosed comments `<!--`': (n) => repeat('<!--\n\n', n),
  'comments in a paragraph `<!--~`': (n) => repeat('<!--~', n),
  'backticks `` `a ``': (n) => repeat('`a', n),
  'growing backtick runs': (n) => lines(n, (i) => '`'.repeat(i + 1) + 'a'),
  'escaped backtick runs no run closes `\\```': (n) => repeat('\\```', n),
  'table rows': (n) => '|a|b|\n|-|-|\n' + repeat('|a|b|\n', n - 12),
  'headings with one title': (n) => repeat('## a\n', n),
  'entities `&#`': (n) => repeat('&#', n),
};

const FIELDS = [
  { field: 'a postmortem summary', max: MAX_SUMMARY_CHARS, render: (text: string) => renderMarkdown(text) },
  { field: 'an update body or template', max: MAX_BODY_CHARS, render: (text: string) => renderMarkdown(text) },
  // The preview shares this limit (it cuts what it is sent to the longest field it previews).
  { field: 'a postmortem body or preview', max: MAX_POSTMORTEM_CHARS, render: (text: string) => renderBody(text) },
];

describe('Markdown from staff, imports and files renders in time linear in its length', () => {
  /**
   * What ordinary text of each field's length costs here. Rendering 200,000
   * characters of plain prose takes a few hundred ms on a busy machine, so the
   * bound for hostile shapes is 100 ms or ten times ordinary text of the same
   * length (prose or a table, whichever costs more), whichever is more: linear
   * shapes land within about 2× on Node 20 and 6× on Node 24 (whose collector
   * and compiler weigh differently), quadratic ones far beyond.
   * Super-linear shapes miss it by orders of magnitude (`[a](` at 8,000
   * characters took 11 s on marked 16; `__a` at 200,000 over 30 s on 18).
   */
  const ordinary = new Map<number, number>();

  beforeAll(() => {
    renderMarkdown(repeat(`${PROSE}warm `, 50_000));
    for (const { max, render } of FIELDS) {
      // Ordinary text at its most expensive: prose, or a table (which makes four times the HTML per character).
      const costs = [0, 1].map((run) =>
        Math.max(
          cpuMs(() => render(repeat(`${PROSE}${run} `, max))),
          cpuMs(() => render(`| Region | State |\n|---|---|\n${repeat(`| eu-west-${run} | degraded |\n`, max - 32)}`)),
        ),
      );
      ordinary.set(max, Math.min(...costs));
    }
  }, 60_000);

  it('renders every field that holds Markdown up to the longest length the parser takes', () => {
    for (const { max } of FIELDS) expect(max).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
  });

  const cases = FIELDS.flatMap(({ field, max, render }) => Object.entries(HOSTILE).map(([shape, make]) => ({ field, max, render, shape, make })));
  it.each(cases)(
    '$field at its maximum ($max characters) of $shape',
    ({ max, render, make }) => {
      const text = make(max);
      expect(text.length).toBe(max);
      let html = '';
      const bound = Math.max(100, 10 * ordinary.get(max)!);
      const used = cpuMsAgainst(bound, () => {
        const out = render(text);
        html = typeof out === 'string' ? out : out.segments.map((s) => (s.kind === 'html' ? s.html : '')).join('');
      });
      // Bounded output too (an unclosed comment may rightly hide everything after it).
      expect(html.length).toBeLessThan(30 * max);
      expect(used).toBeLessThanOrEqual(bound);
    },
    20_000,
  );

  it('shows text past the longest Markdown field as plain paragraphs, escaped', () => {
    const html = renderMarkdown(`${repeat('a ', MAX_MARKDOWN_CHARS)}\n\n**not bold** <script>x</script>\n\nlast`);
    expect(html).toContain('<p>**not bold** &lt;script&gt;x&lt;/script&gt;</p>');
    expect(html).toContain('<p>last</p>');
  });

  it('still renders what the limits stop short of: nesting, emphasis and links in ordinary text', () => {
    const quotes = renderMarkdown('> > > quoted three deep');
    expect(quotes.match(/<blockquote>/g)).toHaveLength(3);
    const deep = renderMarkdown(`${'>'.repeat(40)} very deep`);
    expect(deep.match(/<blockquote>/g)!.length).toBeLessThan(40);
    expect(deep).toContain('very deep');
    expect(renderMarkdown('*em* and __strong__ and ~~gone~~ and user_name_here')).toBe(
      '<p><em>em</em> and <strong>strong</strong> and <del>gone</del> and user_name_here</p>\n',
    );
    expect(renderMarkdown('mail ops@example.com or see https://example.com/a_(b)).')).toBe(
      '<p>mail <a href="mailto:ops@example.com" rel="nofollow noopener">ops@example.com</a> or see <a href="https://example.com/a_(b)" rel="nofollow noopener">https://example.com/a_(b)</a>).</p>\n',
    );
  });
});
