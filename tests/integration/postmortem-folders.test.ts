import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase } from '../support/test-server';
import { loadPostmortems } from '../../src/lib/postmortems/load-postmortems';
import { savePostmortem } from '../../src/lib/postmortems/save-postmortem';
import { parseConfig } from '../../src/lib/config';
import { ShiraseError } from '../../src/lib/errors';

const { db, dir } = freshDatabase({ seed: true });
// A copy of the shipped folder, so the test can show it is never written.
const shipped = join(dir, 'shipped');
cpSync('content/postmortems', shipped, { recursive: true });
const data = join(dir, 'data-postmortems');
const sources = { dir: data, shipped };
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const shippedFile = '2018-06-22-renewal-outage.md';

describe('postmortems in the data folder and the shipped one', () => {
  it('defaults to a data folder beside the database, reading the shipped demo too', () => {
    const config = parseConfig({});
    expect(config.postmortems).toEqual({ dir: './data/postmortems', shipped: './content/postmortems' });
    expect(parseConfig({ SHIPPED_POSTMORTEMS_DIR: 'none' }).postmortems.shipped).toBeUndefined();
  });

  it('reads the shipped files when the data folder does not exist yet', () => {
    const library = loadPostmortems(sources);
    expect(library.bySlug.get('renewal-outage')).toMatchObject({ shipped: true, file: shippedFile });
  });

  it('saves a new postmortem into the data folder only', () => {
    savePostmortem(
      db,
      sources,
      { title: 'Queue backlog', slug: 'queue-backlog', date: '2026-07-01', incidents: [], summary: 'S.', locale: 'en', body: 'B.', action: 'save' },
      { now: Date.now() },
    );
    expect(readdirSync(data)).toEqual(['2026-07-01-queue-backlog.md']);
    expect(readdirSync(shipped)).not.toContain('2026-07-01-queue-backlog.md');
    expect(loadPostmortems(sources).bySlug.get('queue-backlog')).toMatchObject({ shipped: false });
  });

  it('edits a shipped postmortem as a copy in the data folder, leaving the shipped file as it was', () => {
    const before = readFileSync(join(shipped, shippedFile), 'utf8');
    const original = loadPostmortems(sources).bySlug.get('renewal-outage')!;
    savePostmortem(
      db,
      sources,
      {
        originalFile: shippedFile,
        version: original.version,
        title: original.title,
        slug: original.slug,
        date: original.date,
        incidents: original.incidents,
        summary: 'Edited summary.',
        locale: original.locale,
        body: original.body,
        action: 'save',
      },
      { now: Date.now() },
    );
    expect(readFileSync(join(shipped, shippedFile), 'utf8')).toBe(before);
    expect(existsSync(join(data, shippedFile))).toBe(true);
    const library = loadPostmortems(sources);
    expect(library.bySlug.get('renewal-outage')).toMatchObject({ shipped: false, summary: 'Edited summary.' });
    expect(library.all.filter((p) => p.slug === 'renewal-outage')).toHaveLength(1);
    expect(library.problems).toEqual([]);
  });

  it('refuses to rename a shipped postmortem, changing nothing', () => {
    const dataBefore = readdirSync(data).sort();
    const original =
      loadPostmortems({ dir: join(dir, 'empty'), shipped }).bySlug.get('renewal-outage-ja') ?? loadPostmortems(sources).all.find((p) => p.shipped)!;
    let error: unknown;
    try {
      savePostmortem(
        db,
        sources,
        {
          originalFile: original.file,
          version: original.version,
          title: original.title,
          slug: `${original.slug}-renamed`,
          date: original.date,
          incidents: original.incidents,
          summary: original.summary,
          locale: original.locale,
          body: original.body,
          action: 'save',
        },
        { now: Date.now() },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShiraseError);
    expect((error as ShiraseError).key).toBe('errors.postmortem.shippedName');
    expect(readdirSync(data).sort()).toEqual(dataBefore);
  });
});
