import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, IntegrationResolvedRoute } from 'astro';
import { buildRouteManifest, ROUTE_MANIFEST_FILE } from '../lib/routes/route-manifest';

/**
 * Writes dist/public-routes.json at the end of a build: every route of the
 * site in Astro's order, with its own regular expression and the
 * `publicPage` declaration its page exports (src/lib/routes/public-page.ts).
 * The serving thread reads that file instead of loading Astro.
 *
 * The declarations are read from the built pages themselves
 * (read-declarations.mjs): Astro keeps a page's named exports on the module
 * it builds, frontmatter or endpoint, so what is written is what the page
 * says, with no second parser of our own.
 */
export function routeManifest(): AstroIntegration {
  let routes: IntegrationResolvedRoute[] = [];
  let outDir: URL | undefined;
  let serverDir: URL | undefined;
  return {
    name: 'shirase:route-manifest',
    hooks: {
      'astro:config:done': ({ config }) => {
        outDir = config.outDir;
        serverDir = config.build.server;
      },
      'astro:routes:resolved': (options) => {
        // Routes Astro adds itself (its image endpoint) are no pages of ours: their paths get the 404.
        routes = options.routes.filter((route) => route.origin === 'project');
      },
      'astro:build:done': ({ logger }) => {
        const reader = fileURLToPath(new URL('read-declarations.mjs', import.meta.url));
        const output = execFileSync(process.execPath, [reader, fileURLToPath(new URL('entry.mjs', serverDir))], {
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        });
        const declarations = JSON.parse(output) as Record<string, unknown>;
        const manifest = buildRouteManifest(
          routes.map((route) => ({ route: route.pattern, pattern: route.patternRegex, params: route.params, entrypoint: route.entrypoint })),
          (entrypoint) => declarations[entrypoint],
        );
        writeFileSync(new URL(ROUTE_MANIFEST_FILE, outDir), `${JSON.stringify(manifest, null, 1)}\n`);
        logger.info(`${manifest.routes.filter((r) => r.page).length} public routes of ${manifest.routes.length} written to ${ROUTE_MANIFEST_FILE}`);
      },
    },
  };
}
