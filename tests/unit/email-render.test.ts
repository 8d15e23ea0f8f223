import { describe, expect, it } from 'vitest';
import { mailHtml, mailText, type MailDocument } from '../../src/lib/notifications/email-render';

function doc(overrides: Partial<MailDocument> = {}): MailDocument {
  return {
    locale: 'en',
    siteName: 'Example Status',
    siteUrl: 'https://status.example.com',
    headline: 'Checkout errors',
    blocks: [
      { kind: 'status', label: { text: 'Identified', tone: 'major' }, when: '30 Nov 2026, 04:05 GMT+9 (Asia/Tokyo)' },
      { kind: 'markdown', source: '## Cause\n\n**Payments** fail; see [notes](/history) and `retry=3`.\n\n1. first\n2. second' },
      { kind: 'components', title: 'Affected components', items: [{ name: 'API', status: { text: 'Major outage', tone: 'critical' } }] },
      { kind: 'button', text: 'View the incident', url: 'https://status.example.com/incidents/abc' },
    ],
    footer: {
      text: 'You receive this because you subscribed.',
      manage: { text: 'Change what you receive', url: 'https://status.example.com/subscribe/manage?token=one&x=1' },
      unsubscribe: { text: 'Unsubscribe', url: 'https://status.example.com/unsubscribe?token=one' },
    },
    ...overrides,
  };
}

describe('the plain-text part', () => {
  it('reads Markdown as text, with site links made absolute and written out', () => {
    const text = mailText(doc());
    expect(text).toContain('Payments fail; see notes <https://status.example.com/history> and retry=3.');
    expect(text).toContain('Cause');
    expect(text).toMatch(/1\. first\n\s*2\. second/);
    expect(text).not.toMatch(/\*\*|`|##|\]\(/);
    expect(text).toContain('[Identified] 30 Nov 2026, 04:05 GMT+9 (Asia/Tokyo)');
    expect(text).toContain('- API: Major outage');
    expect(text).toContain('View the incident:\nhttps://status.example.com/incidents/abc');
    expect(text).toContain('Unsubscribe: https://status.example.com/unsubscribe?token=one');
  });
});

describe('the HTML part', () => {
  it('is the same document for every subscriber but their own links, escaped', () => {
    const first = mailHtml(doc());
    const second = mailHtml(
      doc({
        footer: {
          ...doc().footer,
          manage: { text: 'Change what you receive', url: 'https://status.example.com/subscribe/manage?token=two' },
          unsubscribe: { text: 'Unsubscribe', url: 'https://status.example.com/unsubscribe?token=two' },
        },
      }),
    );
    expect(first).toContain('href="https://status.example.com/subscribe/manage?token=one&amp;x=1"');
    expect(second).toContain('href="https://status.example.com/unsubscribe?token=two"');
    expect(second).not.toContain('token=one');
    expect(first.replace(/token=one(&amp;x=1)?/g, 'token=two')).toBe(second);
    expect(first).not.toContain('.invalid/');
  });

  it('carries the styles a mail client needs inline and the dark-mode rules in a style sheet', () => {
    const html = mailHtml(doc());
    expect(html).toMatch(/<span class="badge tone-major" style="[^"]*background: #b34d00;[^"]*">Identified<\/span>/);
    expect(html).toMatch(/<a href="https:\/\/status\.example\.com\/history"[^>]*style="color: #0b5cad;"/);
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toMatch(/<style>[\s\S]*@media \(prefers-color-scheme: dark\)[\s\S]*<\/style>/);
  });
});
