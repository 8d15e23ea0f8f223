import { describe, expect, it } from 'vitest';
import { placeUpdate } from '../../src/lib/incidents/placement';
import { fillTemplate, templateValues } from '../../src/lib/templates/fill-template';

const log = [
  { id: 'a', status: 'investigating' as const, displayAt: 1_000, seq: 1 },
  { id: 'b', status: 'identified' as const, displayAt: 3_000, seq: 2 },
];

describe('placing an update in the log', () => {
  it('puts a back-dated update before the first later one and keeps the latest status', () => {
    expect(placeUpdate(log, { status: 'monitoring', displayAt: 2_000 })).toEqual({ status: 'identified', placedBefore: log[1] });
  });

  it('makes an update at the same time as the latest the new latest, as the save does', () => {
    expect(placeUpdate(log, { status: 'monitoring', displayAt: 3_000 })).toEqual({ status: 'monitoring', placedBefore: null });
  });
});

describe('filling a template', () => {
  it('replaces known variables, with spaces inside the braces, and leaves unknown ones visible', () => {
    expect(fillTemplate('{{components}} / {{ now }} / {{nope}} / {{constructor}}', { components: 'API', now: 'then' })).toBe(
      'API / then / {{nope}} / {{constructor}}',
    );
  });

  it('names times with their zone and components in the text’s language', () => {
    const at = Date.UTC(2026, 5, 18, 9, 10);
    const en = templateValues({ components: ['API', 'Web app'], startedAt: at, endedAt: null, now: at }, 'en', 'Asia/Tokyo');
    expect(en).toMatchObject({ components: 'API, Web app', started_at: '18 Jun 2026, 18:10 GMT+9', ended_at: '18 Jun 2026, 18:10 GMT+9' });
    expect(templateValues({ components: ['API', 'Web アプリ'], startedAt: null, endedAt: null, now: at }, 'ja', 'Asia/Tokyo')).toMatchObject({
      components: 'API、Web アプリ',
    });
    expect(templateValues({ components: [], startedAt: null, endedAt: null, now: at }, 'en', 'Asia/Tokyo')).not.toHaveProperty('components');
  });
});
