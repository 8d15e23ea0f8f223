import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { makeRepresentationSync, type Representation } from './representation';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.html': 'text/html; charset=utf-8',
};

const MAX_STATIC_BYTES = 5 * 1024 * 1024;

/**
 * Loads the built client assets into memory, precompressed. Hashed files under
 * /_astro/ never change, so they are cached for a year; the rest for an hour.
 */
export function loadStaticFiles(root: string, headers: Record<string, string>): Map<string, Representation> {
  const files = new Map<string, Representation>();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      const info = statSync(full);
      if (info.isDirectory()) walk(full);
      else if (info.isFile() && info.size <= MAX_STATIC_BYTES) {
        const urlPath = '/' + relative(root, full).split(sep).join('/');
        files.set(
          urlPath,
          makeRepresentationSync({
            status: 200,
            headers,
            contentType: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
            cacheControl: urlPath.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
            body: readFileSync(full),
          }),
        );
      }
    }
  };
  walk(root);
  return files;
}
