// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig, passthroughImageService } from 'astro/config';
import { routeManifest } from './src/integrations/route-manifest.ts';

/**
 * Shirase's own adapter: Astro builds src/server/astro-entry.ts as the server
 * entry, whose `render` the render threads call with a web Request (see
 * src/server/render-request.ts). Shirase's server (src/server) accepts the
 * connections, serves public pages and static files from memory, and hands
 * everything else to a render thread as a message.
 */
const shiraseAdapter = {
  name: 'shirase-adapter',
  hooks: {
    /** @param {{ setAdapter: (adapter: import('astro').AstroAdapter) => void }} options */
    'astro:config:done': ({ setAdapter }) =>
      setAdapter({
        name: 'shirase-adapter',
        serverEntrypoint: fileURLToPath(new URL('./src/server/astro-entry.ts', import.meta.url)),
        exports: ['render'],
        adapterFeatures: { buildOutput: 'server', edgeMiddleware: false },
        supportedAstroFeatures: { serverOutput: 'stable', staticOutput: 'unsupported', hybridOutput: 'unsupported', sharpImageService: 'unsupported' },
      }),
  },
};

export default defineConfig({
  output: 'server',
  adapter: shiraseAdapter,
  // dist/public-routes.json: each public page's cache policy, for the serving thread.
  integrations: [routeManifest()],
  // Shirase's middleware checks that a form POST's Origin matches the host it
  // was sent to (src/lib/auth/cross-site-form.ts), as Astro's own check does,
  // but lets requests with a bearer token through, which no form can send.
  // The serving thread builds each request's address from the Host header (or
  // from X-Forwarded-Host when a proxy TRUST_PROXY names sent it); Shirase
  // builds every absolute link from SITE_URL, never from the Host header, and a
  // cross-site form cannot set Host or X-Forwarded-Host to pass the check.
  security: { checkOrigin: false },
  // The reference pages' code examples are shown as plain preformatted text:
  // highlighting writes inline styles, which the pages' CSP (style-src 'self') refuses.
  markdown: { syntaxHighlight: false },
  // Shirase optimises no images (the logo is an SVG or a file staff upload), so Astro needs no image service.
  image: { service: passthroughImageService() },
  vite: {
    ssr: { external: ['better-sqlite3'] },
  },
});
