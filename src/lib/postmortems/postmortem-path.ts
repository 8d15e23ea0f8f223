import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ShiraseError } from '../errors';

// A plain file name: no separators, no `..`, no absolute path. Postmortem
// names (`2018-06-22-slug.md`) and the temporary names beside them
// (`.2018-06-22-slug.md.123.tmp`) fit.
const PLAIN_NAME = /^\.?[A-Za-z0-9][A-Za-z0-9._-]*$/;

function refuse(why: 'errors.postmortem.nameNotPlain' | 'errors.postmortem.nameLinksOut'): ShiraseError {
  return new ShiraseError('VALIDATION', why, { hint: 'errors.postmortem.name.hint' });
}

export interface PostmortemFolder {
  /** The folder's real path, symlinks resolved. */
  root: string;
  /** The path of `name` in the folder; throws for anything that would resolve outside it. */
  path(name: string): string;
}

/**
 * The one way to turn a name into a path in the postmortems folder, for every
 * read, write, rename and delete there. It refuses separators, `..`, absolute
 * paths, and a symlink in the folder that points out of it, checked against
 * the folder's real path. Throws when the folder does not exist, unless asked
 * to create it.
 */
export function postmortemFolder(dir: string, options: { create?: boolean } = {}): PostmortemFolder {
  if (options.create) mkdirSync(dir, { recursive: true });
  const root = realpathSync(dir);
  return {
    root,
    path(name: string): string {
      if (!PLAIN_NAME.test(name) || name.includes('..')) throw refuse('errors.postmortem.nameNotPlain');
      const path = join(root, name);
      if (dirname(path) !== root) throw refuse('errors.postmortem.nameNotPlain');
      let link = false;
      try {
        link = lstatSync(path).isSymbolicLink();
      } catch {
        // Not there yet: it will be created inside the folder.
      }
      if (link) {
        let target = '';
        try {
          target = realpathSync(path);
        } catch {
          // A dangling link is refused like one pointing out.
        }
        if (dirname(target) !== root) throw refuse('errors.postmortem.nameLinksOut');
      }
      return path;
    },
  };
}
