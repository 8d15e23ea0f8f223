import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'public', 'db', 'scripts', 'content/docs', 'astro.config.mjs', 'package.json', 'tsconfig.json'];
/** Written last by a build, so its age is the build's age. */
export const SERVER_BUNDLE = join('dist', 'shirase', 'start.mjs');

/** @param {string} path */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Runs the build (`astro build`, then the server bundle) when it is missing or
 * older than any source file.
 * @param {string} root
 * @param {(line: string) => void} log
 */
export function buildIfStale(root, log) {
  const bundle = join(root, SERVER_BUNDLE);
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (built > 0 && built >= newest) return;
  log(built === 0 ? '[shirase] No build found; building the site (once, about a minute)…' : '[shirase] Sources changed since the last build; building again…');
  for (const args of [[join(root, 'node_modules', 'astro', 'astro.js'), 'build'], [join(root, 'scripts', 'bundle-server.mjs')]]) {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('The build failed; see the messages above.');
  }
}
