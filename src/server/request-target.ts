/**
 * One spelling per path. Browsers, proxies and Astro's router each accept
 * more spellings of a path than the one we write (`//admin`, `/a/../admin`,
 * `/%61dmin`, `/\admin`), so the serving thread turns every request target
 * into its canonical form before anything looks at it: the public cache, the
 * render threads and the staff guard then all see the same path.
 *
 * RFC 3986 §6.2.2: percent-encoded unreserved characters are decoded, other
 * escapes get upper-case hex, dot segments are removed; beyond the RFC, runs
 * of slashes collapse to one and a backslash counts as a slash (as WHATWG
 * URL parsing treats it). `%2F` stays encoded: it is data, not a separator.
 */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normaliseEscapes(segment: string): string | null {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = segment.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    const decoded = String.fromCharCode(parseInt(hex, 16));
    out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return out;
}

/**
 * The canonical `path?query` for a request target, or null when it cannot be
 * a path of this site (asterisk-form, a broken escape, a control character).
 * Absolute-form targets (`http://host/path`) keep only their path and query.
 */
export function canonicalTarget(raw: string): string | null {
  let target = raw;
  if (!target.startsWith('/')) {
    const scheme = /^https?:\/\/[^/?#]*/i.exec(target);
    if (!scheme) return null;
    target = target.slice(scheme[0].length) || '/';
    if (!target.startsWith('/')) target = `/${target}`;
  }
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const query = q >= 0 ? target.slice(q) : '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(target)) return null;
  const segments: string[] = [];
  const parts = rawPath.replace(/\\/g, '/').split('/');
  for (let i = 1; i < parts.length; i++) {
    const segment = normaliseEscapes(parts[i]!);
    if (segment === null) return null;
    const last = i === parts.length - 1;
    if (segment === '.' || segment === '') {
      // A trailing slash survives (`/admin/` is what was asked for); empty segments in between do not.
      if (last && segments.length > 0) segments.push('');
      continue;
    }
    if (segment === '..') {
      segments.pop();
      if (last) segments.push('');
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}${query}`;
}
