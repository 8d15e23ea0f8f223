import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase } from '../support/test-server';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'migrations' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [full] : [];
  });
}

const opened = freshDatabase();
afterAll(() => {
  opened.db.$client.close();
  rmSync(opened.dir, { recursive: true, force: true });
});

describe('an acknowledged write survives a power cut', () => {
  it('opens connections with synchronous=FULL, which stays in force inside write transactions', () => {
    const { db } = opened;
    expect(db.$client.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    const inside = db.transaction(() => db.$client.pragma('synchronous', { simple: true }));
    expect(inside).toBe(2);
  });

  it('opens every writing connection (server, render threads, worker, CLI) through openDatabase', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('db'), ...sourceFiles('scripts')];
    const direct = files.filter((f) => /new Database\(/.test(readFileSync(f, 'utf8')));
    // db/open.ts is openDatabase itself; the backup check and the start's check of a file's migrations
    // open theirs read-only; the lifetime lock opens its own small file beside the database, never the database.
    expect(direct.sort()).toEqual(['db/lifetime-lock.ts', 'db/open.ts', 'db/upgrade.ts', 'src/lib/site/backup.ts']);
    expect(readFileSync('src/lib/site/backup.ts', 'utf8')).toMatch(/new Database\([^)]*readonly: true/);
    expect(readFileSync('db/upgrade.ts', 'utf8')).toMatch(/new Database\(path, \{ readonly: true/);
    expect(readFileSync('db/lifetime-lock.ts', 'utf8')).not.toMatch(/new Database\((?!lockPath\(|path\))/);
    expect(readFileSync('src/server/render-thread.ts', 'utf8')).toContain('openDatabase(');
  });
});
