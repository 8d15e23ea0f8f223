import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'public', 'db', 'astro.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Runs `astro build` when the build is missing or older than any source file. */
export function buildIfStale(root: string, log: (line: string) => void): void {
  const entry = join(root, 'dist', 'server', 'entry.mjs');
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (built > 0 && built >= newest) return;
  log(built === 0 ? '[shirase] No build found; building the site (once, about a minute)…' : '[shirase] Sources changed since the last build; building again…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'astro', 'astro.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('astro build failed; see the messages above.');
}
