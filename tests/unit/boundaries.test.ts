import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'migrations' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [full] : [];
  });
}

describe('layer boundaries', () => {
  it('keeps the domain and the database free of astro:* imports, so the worker and CLI can load them', () => {
    const offenders = [...sourceFiles('src/lib'), ...sourceFiles('db'), ...sourceFiles('src/server')].filter((f) =>
      /from\s+['"]astro:/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps SQL out of pages: pages call views and verbs from src/lib', () => {
    const pages = sourceFiles('src/pages').concat(
      readdirSync('src/pages', { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.astro'))
        .map((f) => join('src/pages', f)),
    );
    const offenders = pages.filter((f) => /drizzle-orm|db\/schema/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
