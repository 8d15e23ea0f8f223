import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/lib/markdown/render';
import { xssPayloads } from '../support/xss-corpus';

/**
 * Anything that could run script once the HTML is in a page. Text is escaped
 * by then, so every raw `<…>` left is a real tag: check those.
 */
function dangerous(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    const name = /^<([a-zA-Z0-9-]+)/.exec(tag)![1]!.toLowerCase();
    if (
      /^(script|iframe|object|embed|form|style|link|base|meta|svg|math|isindex|keygen|marquee|audio|video|applet|body|html|button|select|textarea)$/.test(name)
    )
      found.push(`tag ${name}`);
    if (/\son[a-z]+\s*=/i.test(tag)) found.push(`handler in ${tag}`);
    if (/\s(href|src|action|formaction|data|xlink:href)\s*=\s*["']?\s*(javascript|data|vbscript):/i.test(tag)) found.push(`script URL in ${tag}`);
    if (/\s(style|srcdoc)\s*=/i.test(tag)) found.push(`style or srcdoc in ${tag}`);
    if (name === 'input' && !/type="checkbox"/.test(tag)) found.push(`input ${tag}`);
  }
  return found;
}

describe('the Markdown sanitiser', () => {
  const payloads = xssPayloads();

  it('uses a check that would catch script if any got through', () => {
    for (const html of ['<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>', '<script>x</script>', '<p style="x">', '<iframe srcdoc="x">']) {
      expect(dangerous(html), html).not.toEqual([]);
    }
    expect(dangerous('<p>&lt;script&gt;alert(1)&lt;/script&gt; onload=x</p>')).toEqual([]);
  });

  it('has a corpus of at least 50 payloads from a public list', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100);
  });

  it.each(payloads.map((p, i) => [i + 1, p]))('neutralises payload %i', (_, payload) => {
    const html = renderMarkdown(payload as string);
    expect(dangerous(html)).toEqual([]);
    // Wrapped in surrounding Markdown, too.
    expect(dangerous(renderMarkdown(`Intro **bold**\n\n${payload}\n\n- item`))).toEqual([]);
  });

  it('keeps the Markdown staff rely on: tables, task lists, code, links and images from the site', () => {
    const html = renderMarkdown(
      '| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n```js\nconst x = 1;\n```\n\n[docs](https://example.com) ![chart](/images/chart.png)',
    );
    expect(html).toContain('<table>');
    expect(html).toContain('<span class="task task-done" role="img" aria-label="done">☑</span>');
    expect(html).toContain('<span class="task" role="img" aria-label="not done">☐</span>');
    expect(html).toContain('<code class="language-js">');
    expect(html).toContain('<a href="https://example.com" rel="nofollow noopener">docs</a>');
    expect(html).toContain('<img src="/images/chart.png" alt="chart" />');
  });
});

describe('element ids in Markdown', () => {
  it('are prefixed, so staff text cannot take over an id the page uses, and links to them follow', () => {
    const html = renderMarkdown('<h2 id="main">Cause</h2>\n\n[jump](#main) <a id="subscribe-form" name="subscribe-form" href="#top">x</a>');
    expect(html).toContain('<h2 id="md-main">');
    expect(html).toContain('href="#md-main"');
    expect(html).toContain('id="md-subscribe-form"');
    expect(html).not.toMatch(/\sid="(main|subscribe-form)"/);
    expect(html).not.toContain('name=');
  });
});
