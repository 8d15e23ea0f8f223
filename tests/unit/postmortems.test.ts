import { describe, expect, it } from 'vitest';
import { frontMatterSchema, serializePostmortem, slugFromTitle, splitFrontMatter } from '../../src/lib/postmortems/front-matter';
import { incidentMetrics } from '../../src/lib/postmortems/metrics';
import { renderBody } from '../../src/lib/postmortems/postmortem-view';
import { postmortemLinkText, postmortemTitleUnlabelled } from '../../src/lib/postmortems/postmortem-link-text';
import { groupByLocalDay } from '../../src/lib/time';
import type { MeasuredIncident } from '../../src/lib/postmortems/metrics';
import type { UpdateStatus } from '../../src/lib/status/vocabulary';
import { zonedTimeToUtc } from '../../src/lib/time';

describe('postmortem front matter', () => {
  it('makes a slug from a title when none is typed, within the slug’s rules and length', () => {
    expect(slugFromTitle('API down for 20 minutes', '2026-01-18')).toBe('api-down-for-20-minutes');
    expect(slugFromTitle('Postmortem: the “Café” outage — 18 June', '2018-06-22')).toBe('postmortem-the-cafe-outage-18-june');
    expect(slugFromTitle('障害報告:リニューアル後の停止', '2018-06-22')).toBe('postmortem-2018-06-22');
    const long = slugFromTitle('word '.repeat(40), '2018-06-22');
    expect(long.length).toBeLessThanOrEqual(80);
    expect(frontMatterSchema.safeParse({ title: 't', slug: long, date: '2018-06-22', incidents: [], summary: '', locale: 'en', published: null }).success).toBe(
      true,
    );
  });

  const valid = {
    title: 'Outage',
    slug: 'renewal-outage',
    date: '2018-06-22',
    incidents: ['jun18renewal'],
    summary: 'Short.',
    published: '2018-06-22T12:00:00+09:00',
    locale: 'en',
  };

  it('accepts a complete postmortem and reads the published time', () => {
    const parsed = frontMatterSchema.parse(valid);
    expect(parsed.published).toBe(Date.UTC(2018, 5, 22, 3));
  });

  it('names every field that needs fixing', () => {
    const result = frontMatterSchema.safeParse({
      ...valid,
      title: '',
      slug: 'Not A Slug',
      date: '22/06/2018',
      incidents: ['x'],
      published: 'yesterday',
      extra: 1,
    });
    expect(result.success).toBe(false);
    const fields = result.success ? [] : result.error.issues.map((i) => i.path.join('.') || i.code);
    expect(fields).toEqual(expect.arrayContaining(['title', 'slug', 'date', 'incidents.0', 'published', 'unrecognized_keys']));
  });

  it('is a draft without a published time', () => {
    expect(frontMatterSchema.parse({ ...valid, published: undefined }).published).toBeUndefined();
  });

  it('writes files that read back the same', () => {
    const front = frontMatterSchema.parse(valid);
    const { data, body } = splitFrontMatter(serializePostmortem(front, '## Summary\n\nText.'));
    expect(frontMatterSchema.parse(data)).toEqual(front);
    expect(body.trim()).toBe('## Summary\n\nText.');
  });
});

describe('response metrics', () => {
  const jst = (d: number, h: number, m = 0) => zonedTimeToUtc(2018, 6, d, h, m, 'Asia/Tokyo');
  const update = (status: UpdateStatus, displayAt: number) => ({ status, displayAt });
  const june18: MeasuredIncident = {
    startedAt: jst(18, 6),
    resolvedAt: jst(19, 1, 40),
    updates: [update('investigating', jst(18, 7)), update('investigating', jst(18, 9)), update('identified', jst(18, 10)), update('resolved', jst(19, 1, 40))],
  };

  it('measures detect, identify and recover from the start of impact', () => {
    expect(incidentMetrics(june18).map((m) => [m.key, m.ms! / 60_000])).toEqual([
      ['detect', 60],
      ['identify', 240],
      ['recover', 19 * 60 + 40],
    ]);
  });

  it('reports a moment the log does not have as missing', () => {
    const open: MeasuredIncident = { ...june18, resolvedAt: null, updates: june18.updates.slice(0, 2) };
    expect(incidentMetrics(open).map((m) => m.ms)).toEqual([60 * 60_000, null, null]);
  });
});

describe('timeline days', () => {
  it('groups entries by local day, so 23:30 UTC is the next day in Tokyo', () => {
    const entries = [Date.UTC(2018, 5, 18, 14, 0), Date.UTC(2018, 5, 18, 14, 59), Date.UTC(2018, 5, 18, 15, 0), Date.UTC(2018, 5, 18, 23, 30)].map(
      (displayAt) => ({ displayAt }),
    );
    expect(groupByLocalDay(entries, 'Asia/Tokyo').map((d) => [d.key, d.updates.length])).toEqual([
      ['2018-06-18', 2],
      ['2018-06-19', 2],
    ]);
    expect(groupByLocalDay(entries, 'Etc/UTC').map((d) => [d.key, d.updates.length])).toEqual([['2018-06-18', 4]]);
  });
});

describe('postmortem bodies', () => {
  it('places generated blocks where the directives stand, and not inside code', () => {
    const { segments } = renderBody('## Summary\n\nText.\n\n{{timeline}}\n\n```\n{{metrics}}\n```\n\n## Cause');
    expect(segments.map((s) => (s.kind === 'block' ? s.name : 'html'))).toEqual(['html', 'timeline', 'html']);
  });

  it('puts the whole report first when there is no directive', () => {
    expect(renderBody('Just text.').segments[0]).toEqual({ kind: 'block', name: 'report' });
  });

  it('gives headings anchors for the table of contents', () => {
    const { headings, segments } = renderBody('## Root cause\n\n## Root cause\n\n### Trigger');
    expect(headings.map((h) => h.id)).toEqual(['pm-root-cause', 'pm-root-cause-2', 'pm-trigger']);
    expect((segments[1] as { html: string }).html).toContain('<h2 id="pm-root-cause">');
  });
});

describe('postmortem link text', () => {
  it('names the postmortem once when its title already starts with the word', () => {
    expect(postmortemLinkText('Postmortem: almost 20 hours of downtime', 'en')).toBe('Postmortem: almost 20 hours of downtime');
    expect(postmortemLinkText('postmortem : slow uploads', 'en')).toBe('postmortem : slow uploads');
    expect(postmortemLinkText('障害報告:6 月 18 日の件', 'ja')).toBe('障害報告:6 月 18 日の件');
    expect(postmortemLinkText('障害報告: 6 月 18 日の件', 'ja')).toBe('障害報告: 6 月 18 日の件');
  });

  it('gives the title without the word, for a mail subject that says it already', () => {
    expect(postmortemTitleUnlabelled('Postmortem: almost 20 hours of downtime')).toBe('almost 20 hours of downtime');
    expect(postmortemTitleUnlabelled('障害報告:6 月 18 日の件')).toBe('6 月 18 日の件');
    expect(postmortemTitleUnlabelled('Slow uploads on June 3')).toBe('Slow uploads on June 3');
    expect(postmortemTitleUnlabelled('Postmortem:')).toBe('Postmortem:');
  });

  it('adds the word to a title that does not say it', () => {
    expect(postmortemLinkText('Slow uploads on June 3', 'en')).toBe('Postmortem: Slow uploads on June 3');
    expect(postmortemLinkText('6 月 18 日の件', 'ja')).toBe('障害報告:6 月 18 日の件');
    expect(postmortemLinkText('Postmortems we liked', 'en')).toBe('Postmortem: Postmortems we liked');
  });
});
