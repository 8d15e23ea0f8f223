import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { startChangeFeed } from '../../src/server/change-feed';
import { freshDatabase } from '../support/test-server';
import { until } from '../support/until';
import { programArgs } from '../support/programs';

const { db, dir, databasePath } = freshDatabase();
const postmortems = mkdtempSync(join(tmpdir(), 'shirase-pm-'));
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(postmortems, { recursive: true, force: true });
});

describe('the change feed', () => {
  it("sees each of another process's commits through the WAL file, without its poll, even when the event comes before the commit is visible", async () => {
    let seen = 0;
    // The poll is slowed to a minute: every change seen here came from a file-system event and the chase after it.
    const feed = startChangeFeed({
      db,
      databasePath,
      postmortems: { dir: postmortems },
      safetyNetMs: 60_000,
      changed: () => void (feed.changedSinceLastLook() && seen++),
    });
    const writer = spawn(process.execPath, [...programArgs('tests/support/bump-counter-process.ts'), databasePath], { stdio: ['pipe', 'pipe', 'inherit'] });
    const answers = createInterface({ input: writer.stdout })[Symbol.asyncIterator]();
    try {
      for (let commit = 1; commit <= 30; commit++) {
        writer.stdin.write('commit\n');
        expect((await answers.next()).value).toBe('done');
        await until(() => seen === commit, 2_000);
      }
      expect(seen).toBe(30);
    } finally {
      writer.stdin.end();
      feed.close();
    }
  });
});
