import { createHash } from 'node:crypto';

/** The kinds of file staff may give the site, and the theme stylesheet made from the settings. */
export type SiteFileKind = 'logo' | 'favicon' | 'theme';

/** Uploaded images are refused above this size: a logo is shown on every page. */
export const MAX_IMAGE_BYTES = 256 * 1024;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'image/x-icon': 'ico',
  'text/css; charset=utf-8': 'css',
};

export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/svg+xml' | 'image/x-icon';

function startsWith(bytes: Buffer, signature: number[], at = 0): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

/**
 * The image type the bytes are, by their content (never by the file name or
 * the type the browser claimed), or undefined when they are none of the types
 * accepted.
 */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'image/x-icon';
  const head = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*:)?svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

export function contentHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 16);
}

/** Where a site file is served: its content hash is in the name, so it can be cached for a year. */
export function siteFilePath(kind: SiteFileKind, hash: string, contentType: string): string {
  return `/brand/${kind}-${hash}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

const PATH = /^\/brand\/(logo|favicon|theme)-([A-Za-z0-9_-]{16})\.[a-z]+$/;

/** The kind and hash a /brand/ path names, or undefined when it is not such a path. */
export function parseSiteFilePath(path: string): { kind: SiteFileKind; hash: string } | undefined {
  const m = PATH.exec(path);
  return m ? { kind: m[1] as SiteFileKind, hash: m[2]! } : undefined;
}
