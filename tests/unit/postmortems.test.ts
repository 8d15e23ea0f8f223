import { describe, expect, it } from 'vitest';
import { frontMatterSchema, serializePostmortem, slugFromTitle, splitFrontMatter } from '../../src/lib/postmortems/front-matter';
import { BACK_DATED_AFTER_MS, incidentFigures, isBackDated, type IncidentFigures } from '../../src/lib/postmortems/metrics';
import { renderBody } from '../../src/lib/postmortems/postmortem-view';
import { postmortemLinkText, postmortemTitleUnlabelled } from '../../src/lib/postmortems/postmortem-link-text';
import { groupByLocalDay } from '../../src/lib/time';
import type { MeasuredIncident } from '../../src/lib/postmortems/metrics';
import type { UpdateStatus } from '../../src/lib/status/vocabulary';
import { zonedTimeToUtc } from '../../src/lib/time';
import { JUNE_18 } from '../../src/lib/demo/june-18';

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

describe('postmortem figures', () => {
  const jst = (d: number, h: number, m = 0) => zonedTimeToUtc(2018, 6, d, h, m, 'Asia/Tokyo');
  const MIN = 60_000;
  let seq = 0;
  /** An update dated `displayAt` and published at `createdAt` (at its date unless said). */
  const update = (status: UpdateStatus, displayAt: number, createdAt = displayAt) => ({ id: `u${++seq}`, seq, status, displayAt, createdAt });
  const incident = (updates: ReturnType<typeof update>[], declaredStartAt: number | null = null): MeasuredIncident => ({
    startedAt: Math.min(declaredStartAt ?? Infinity, ...updates.map((u) => u.displayAt)),
    declaredStartAt,
    backfilled: false,
    updates,
  });
  const minutes = (f: IncidentFigures) => Object.fromEntries(f.metrics.map((m) => [m.key, m.ms === null ? m.missing : m.ms / MIN]));
  const now = jst(30, 12);

  it('counts from the start of impact to when customers heard, and finds the longest silence (June 18)', () => {
    // The demo's log, each entry published when it was posted.
    const june18 = incident(
      JUNE_18.timeline.map((e) => update(e.status, jst(e.day, e.hour, e.minute), jst(e.day, e.hour, e.minute + (e.postedAfterMinutes ?? 0)))),
      jst(18, 6),
    );
    const figures = incidentFigures(june18, now);
    expect(minutes(figures)).toEqual({ firstWord: 66, identify: 240, longestSilence: 4 * 60 + 20, resolve: 19 * 60 + 40 });
    const silence = figures.metrics.find((m) => m.key === 'longestSilence')!;
    expect([silence.from, silence.to]).toEqual([jst(18, 18, 10), jst(18, 22, 30)]);
    expect([figures.start, figures.end]).toEqual([jst(18, 6), jst(19, 1, 40)]);
  });

  it('leaves out a note published after it was resolved, even one dated before the incident began', () => {
    const live = [update('investigating', jst(18, 10, 6)), update('identified', jst(18, 10, 7)), update('resolved', jst(18, 10, 8))];
    // Written at 10:19 about 09:49, and another at 10:20 marked identified, dated within the incident.
    const note = update('investigating', jst(18, 9, 49), jst(18, 10, 19));
    const later = update('identified', jst(18, 10, 6), jst(18, 10, 20));
    const withNotes = incident([...live, note, later], jst(18, 10));
    // The log's own start moves back to the note, as the incident page shows it; the figures do not.
    expect(withNotes.startedAt).toBe(jst(18, 9, 49));
    const figures = incidentFigures(withNotes, now);
    expect(minutes(figures)).toEqual({ firstWord: 6, identify: 7, longestSilence: 1, resolve: 8 });
    expect([figures.start, figures.end]).toEqual([jst(18, 10), jst(18, 10, 8)]);
    expect(figures.afterwards).toEqual([note.id, later.id]);
  });

  it('leaves out a back-dated note published while it was open: it moves no start and breaks no silence', () => {
    const opening = update('investigating', jst(18, 10));
    const backDated = update('identified', jst(18, 9), jst(18, 12));
    const figures = incidentFigures(
      incident([opening, update('investigating', jst(18, 11)), backDated, update('identified', jst(18, 13, 30)), update('resolved', jst(18, 14))]),
      now,
    );
    expect(minutes(figures)).toEqual({ firstWord: 0, identify: 210, longestSilence: 150, resolve: 240 });
    expect(figures.start).toBe(jst(18, 10));
    expect(figures.afterwards).toEqual([backDated.id]);
  });

  it('takes a few minutes between an event and its update as said at the time, and a late opening as said when published', () => {
    // Opened at 10:30 with its first update dated 10:00, when the trouble began; the next one posted 14 minutes after its time.
    const figures = incidentFigures(
      incident([
        update('investigating', jst(18, 10), jst(18, 10, 30)),
        update('identified', jst(18, 10, 40), jst(18, 10, 54)),
        update('resolved', jst(18, 11)),
      ]),
      now,
    );
    expect(minutes(figures)).toEqual({ firstWord: 30, identify: 54, longestSilence: 24, resolve: 60 });
    expect(figures.afterwards).toEqual([]);
  });

  it('ends the last silence when the resolution was published, and the impact when it is dated', () => {
    const figures = incidentFigures(
      incident([update('investigating', jst(18, 10)), update('monitoring', jst(18, 11, 50)), update('resolved', jst(18, 12), jst(18, 12, 40))]),
      now,
    );
    expect(minutes(figures)).toEqual({ firstWord: 0, identify: 'notRecorded', longestSilence: 110, resolve: 120 });
  });

  it('says nothing was published while it was open when the timeline was written afterwards', () => {
    const writeUp = [
      update('investigating', jst(18, 10), jst(20, 9)),
      update('identified', jst(18, 11), jst(20, 9)),
      update('resolved', jst(18, 12), jst(20, 9)),
    ];
    expect(minutes(incidentFigures(incident(writeUp), now))).toEqual({
      firstWord: 'notPublished',
      identify: 'notPublished',
      longestSilence: 'notPublished',
      resolve: 120,
    });
    const marked = { ...incident([update('investigating', jst(18, 10)), update('resolved', jst(18, 12))]), backfilled: true };
    expect(minutes(incidentFigures(marked, now)).firstWord).toBe('notPublished');
  });

  it('counts a reopened incident to the resolution that held, and as open while it is open again', () => {
    const first = [update('investigating', jst(18, 10)), update('resolved', jst(18, 10, 30))];
    const reopened = incident([...first, update('investigating', jst(18, 11))]);
    expect(minutes(incidentFigures(reopened, jst(18, 12)))).toEqual({ firstWord: 0, identify: 'notRecorded', longestSilence: 60, resolve: 'open' });
    const again = incidentFigures(incident([...reopened.updates, update('resolved', jst(18, 13))]), now);
    expect(minutes(again)).toEqual({ firstWord: 0, identify: 'notRecorded', longestSilence: 120, resolve: 180 });
    expect(again.afterwards).toEqual([]);
  });

  it('runs the silence on until now while it is open', () => {
    const figures = incidentFigures(incident([update('investigating', jst(30, 9)), update('identified', jst(30, 10))]), now);
    expect(minutes(figures)).toEqual({ firstWord: 0, identify: 60, longestSilence: 120, resolve: 'open' });
    const silence = figures.metrics.find((m) => m.key === 'longestSilence')!;
    expect([silence.from, silence.to]).toEqual([jst(30, 10), null]);
  });

  it('marks as back-dated only what was published more than 15 minutes after its time', () => {
    expect(isBackDated({ displayAt: 0, createdAt: BACK_DATED_AFTER_MS })).toBe(false);
    expect(isBackDated({ displayAt: 0, createdAt: BACK_DATED_AFTER_MS + 1 })).toBe(true);
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
    expect(renderBody('Just text.').segments[0]).toMatchObject({ kind: 'block', name: 'report' });
  });

  it('shows each part once: where it is placed on its own, else in the report', () => {
    const shows = (body: string) => renderBody(body).segments.flatMap((s) => (s.kind === 'block' ? [[s.name, s.shows]] : []));
    expect(shows('{{report}}\n\nThis is June against our promise:\n\n{{sla}}')).toEqual([
      ['report', ['impact', 'components', 'metrics', 'phases', 'timeline']],
      ['sla', ['sla']],
    ]);
    expect(shows('{{sla}}\n\n{{report}}\n\n{{sla}}\n\n{{report}}')).toEqual([
      ['sla', ['sla']],
      ['report', ['impact', 'components', 'metrics', 'phases', 'timeline']],
    ]);
    expect(shows('{{impact}}\n\n{{metrics}}')).toEqual([
      ['impact', ['impact']],
      ['metrics', ['metrics']],
    ]);
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
