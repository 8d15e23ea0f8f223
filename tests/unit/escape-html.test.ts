import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/lib/text/escape-html';

describe('escapeHtml', () => {
  it('makes text safe both between tags and inside a quoted attribute', () => {
    const hostile = `"><script>alert('x')</script> & more`;
    const escaped = escapeHtml(hostile);
    expect(escaped).toBe('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more');
    expect(escaped).not.toMatch(/[<>"']/);
  });

  it('escapes an ampersand once, so entities in the text stay as typed', () => {
    expect(escapeHtml('&amp; &lt;')).toBe('&amp;amp; &amp;lt;');
  });
});
