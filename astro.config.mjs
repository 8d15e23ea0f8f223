// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Astro renders; Shirase's own server (src/server) sits in front of it, serves
// public pages from memory and hands everything else to Astro's handler.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  security: { checkOrigin: true },
  server: { port: Number(process.env.PORT ?? 4321) },
  vite: {
    ssr: { external: ['better-sqlite3'] },
  },
});
