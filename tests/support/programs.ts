// The command-line programs tests run as processes of their own. Through tsx
// each spawn loads a TypeScript loader and resolves every module through it:
// about a second of CPU before the program does anything. So the run bundles
// them once (this file is a vitest globalSetup), the way `npm run build`
// bundles the server, and tests spawn plain Node on the bundle. Without the
// setup, `programArgs` falls back to tsx.
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const VARIABLE = 'SHIRASE_TEST_PROGRAMS';
const root = process.cwd();
// Two folders below the root, as dist/shirase is: db/open.ts finds the migrations at ../../db/migrations from there.
const OUT_DIR = join(root, 'dist', 'test-programs');

const PROGRAMS = [
  'src/cli/admin.ts',
  'src/cli/backup.ts',
  'src/cli/restore.ts',
  'src/cli/export.ts',
  'src/cli/import.ts',
  'src/cli/worker.ts',
  'tests/support/open-incident-process.ts',
  'tests/support/bump-counter-process.ts',
];

/**
 * The arguments for `node` that run the program at `path` (relative to the
 * repository, e.g. `src/cli/admin.ts`) from any folder: its bundle when the
 * run made one, the source through tsx (as `npm run` does) otherwise.
 */
export function programArgs(path: string): string[] {
  const bundled = process.env[VARIABLE];
  if (bundled && PROGRAMS.includes(path)) return [join(bundled, `${basename(path, '.ts')}.mjs`)];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, resolve(root, path)];
}

export default async function setup(): Promise<void> {
  await build({
    entryPoints: {
      ...Object.fromEntries(PROGRAMS.map((p) => [basename(p, '.ts'), p])),
      // The export starts the server, which starts `./render-worker.mjs` beside itself (see scripts/bundle-server.mjs).
      'render-worker': 'src/server/render-thread.ts',
    },
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  // Left in place after the run (the next one writes over it): another run in this folder may be using it.
  process.env[VARIABLE] = OUT_DIR;
}
