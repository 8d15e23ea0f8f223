// The second half of `npm run build`: bundles the server's own TypeScript
// (the HTTP front, the render thread and what they import) into plain
// JavaScript under dist/shirase, so the running server needs no TypeScript
// loader. A loader costs a thread of its own per isolate, about 40 MB each,
// and a second or so of compiling at every start.
import { build } from 'esbuild';

await build({
  entryPoints: {
    start: 'src/cli/start.ts',
    // shirase-server.ts starts `./render-worker.mjs` beside itself: from
    // source that file registers tsx; here it is the bundled thread itself.
    'render-worker': 'src/server/render-thread.ts',
  },
  outdir: 'dist/shirase',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Packages load from node_modules as usual; only our own code is bundled.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
