// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import { routeManifest } from './src/integrations/route-manifest.ts';

// Astro renders; Shirase's own server (src/server) sits in front of it, serves
// public pages from memory and hands everything else to Astro's handler.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  // dist/public-routes.json: each public page's cache policy, for the serving thread.
  integrations: [routeManifest()],
  // Shirase's middleware checks that a form POST's Origin matches the host it
  // was sent to (src/lib/auth/cross-site-form.ts), as Astro's own check does,
  // but lets requests with a bearer token through, which no form can send.
  // Hosts are accepted as the browser names them: Shirase builds every
  // absolute link from SITE_URL, never from the Host header, and a cross-site
  // form cannot set Host or X-Forwarded-Host to pass the check.
  security: { checkOrigin: false, allowedDomains: [{}] },
  server: { port: Number(process.env.PORT ?? 4321) },
  // The reference pages' code examples are shown as plain preformatted text:
  // highlighting writes inline styles, which the pages' CSP (style-src 'self') refuses.
  markdown: { syntaxHighlight: false },
  vite: {
    ssr: { external: ['better-sqlite3'] },
  },
});
