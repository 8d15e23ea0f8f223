// The adapter entry Astro builds into dist/server/entry.mjs (see
// astro.config.mjs): the one door from Shirase's render threads into Astro.
// Astro calls createExports with the build's manifest; the thread imports the
// entry and calls `render` with a web Request and the request's context.
import { App as AstroApp } from 'astro/app';
import type { SSRManifest } from 'astro';

/** Shirase prerenders nothing, so Astro never has a prerendered error page to fetch. */
const noPrerenderedPages = async () => new Response(null, { status: 404 });

export function createExports(manifest: SSRManifest) {
  // Not streamed: the thread hands over whole bodies (the cache keeps them, a
  // staff page is small), and a page rendered to one string skips a stream of
  // hundreds of encoded chunks that would only be joined again.
  const app = new AstroApp(manifest, false);
  return {
    render: (request: Request, locals: App.Locals, clientAddress: string): Promise<Response> =>
      app.render(request, { locals, clientAddress, addCookieHeader: true, prerenderedErrorPageFetch: noPrerenderedPages }),
  };
}
