import { describe, expect, it } from 'vitest';
import { auditChanges } from '../../src/lib/audit/audit-changes';

const values = {
  time: (ms: number) => new Date(ms).toISOString().slice(0, 16),
  nameOf: (id: string) => ({ aaaaaaaaaaaa: 'API', bbbbbbbbbbbb: 'Platform' })[id],
};

describe('what an audit entry changed', () => {
  it('shows only the fields the change named whose value differs, leaving out bookkeeping', () => {
    const before = JSON.stringify({ id: 'x', name: 'API', description: 'Old', version: 3, updatedAt: 1, translations: '{"ja":{"name":"API"}}' });
    const after = JSON.stringify({ name: 'API', description: 'New words', version: 4, translations: { ja: { name: 'API' } } });
    const changes = auditChanges(before, after, values);
    expect(changes.map((c) => c.field)).toEqual(['description']);
    expect(changes[0]).toMatchObject({ before: 'Old', after: 'New words', changed: true });
    expect(changes[0]!.words).toEqual([
      { text: 'Old', change: 'removed' },
      { text: 'New words', change: 'added' },
    ]);
  });

  it('names components and groups, and gives times in the page zone', () => {
    const after = JSON.stringify({
      componentIds: ['aaaaaaaaaaaa', 'zzzzzzzzzzzz'],
      groupId: 'bbbbbbbbbbbb',
      scheduledFor: Date.UTC(2026, 5, 18, 13),
      components: [{ componentId: 'aaaaaaaaaaaa', status: 'major_outage' }],
    });
    const shown = Object.fromEntries(auditChanges(null, after, values).map((c) => [c.field, c.after]));
    expect(shown).toEqual({ componentIds: 'API, zzzzzzzzzzzz', groupId: 'Platform', scheduledFor: '2026-06-18T13:00', components: 'API: major_outage' });
    expect(auditChanges(null, after, values).every((c) => !c.changed)).toBe(true);
  });

  it('says nested values in words, never as JSON, and gives every stored instant as a time', () => {
    const after = JSON.stringify({
      translations: { ja: { name: 'API 障害', body: '調査中です。' } },
      mutedSince: Date.UTC(2026, 5, 18, 13),
      at: Date.UTC(2026, 5, 18, 14),
      intervalSeconds: 60,
    });
    const shown = Object.fromEntries(auditChanges(null, after, values).map((c) => [c.field, c.after]));
    expect(shown).toEqual({
      translations: 'ja: name: API 障害; body: 調査中です。',
      mutedSince: '2026-06-18T13:00',
      at: '2026-06-18T14:00',
      intervalSeconds: '60',
    });
    for (const text of Object.values(shown)) expect(text).not.toMatch(/[{}"]/);
  });

  it('lists what a removal took away, and survives a value that is not JSON', () => {
    expect(auditChanges(JSON.stringify({ body: 'Gone now', seq: 4 }), null, values)).toEqual([
      { field: 'body', before: 'Gone now', after: null, changed: false },
    ]);
    expect(auditChanges('not json', null, values)).toEqual([{ field: 'value', before: 'not json', after: null, changed: false }]);
  });
});
