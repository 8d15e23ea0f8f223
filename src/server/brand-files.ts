import type { Db } from '../../db/open';
import { loadSiteFiles } from '../lib/site/site-settings';
import { parseSiteFilePath } from '../lib/site/site-files';
import { makeRepresentationSync, type Representation } from './representation';

// The content hash is in the name: a new file gets a new address, so browsers and CDNs may keep each one for a year.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// An SVG opened on its own runs nothing and loads nothing, whatever got into it.
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/**
 * The logo, favicon and theme stylesheet set under Admin → Settings, held in
 * memory by the serving thread like the built assets. Reloaded when a change
 * is noticed (the bodies only when a hash differs), and looked up once more on
 * a miss, since a page rendered on another thread may name a new file a
 * moment before this thread hears of the change.
 */
export class BrandFiles {
  private files = new Map<string, Representation>();
  private signature = '';
  private readonly hashes;

  constructor(
    private readonly db: Db,
    private readonly headers: Record<string, string>,
  ) {
    this.hashes = db.$client.prepare('SELECT kind, hash FROM site_files ORDER BY kind');
    this.reload();
  }

  reload(): void {
    const signature = (this.hashes.all() as { kind: string; hash: string }[]).map((r) => `${r.kind}:${r.hash}`).join(',');
    if (signature === this.signature) return;
    const files = new Map<string, Representation>();
    for (const file of loadSiteFiles(this.db)) {
      const headers = file.contentType === 'image/svg+xml' ? { ...this.headers, 'content-security-policy': SVG_POLICY } : this.headers;
      files.set(file.path, makeRepresentationSync({ status: 200, headers, contentType: file.contentType, cacheControl: IMMUTABLE, body: file.body }));
    }
    this.files = files;
    this.signature = signature;
  }

  get(path: string): Representation | undefined {
    const known = this.files.get(path);
    if (known || !parseSiteFilePath(path)) return known;
    this.reload();
    return this.files.get(path);
  }
}
