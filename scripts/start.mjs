// `npm start`: builds when the sources are newer than the build, then runs the
// bundled server in this same process (plain Node, no TypeScript loader).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_BUNDLE, buildIfStale } from './build-if-stale.mjs';

const root = process.cwd();
try {
  if (!process.argv.includes('--no-build')) buildIfStale(root, (line) => console.log(line));
} catch (error) {
  console.error(`[shirase] Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
await import(pathToFileURL(resolve(root, SERVER_BUNDLE)).href);
