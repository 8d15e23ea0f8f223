// Files that hold secrets or people's addresses (backups, their status, mail
// written to files) are the owner's only, whatever the umask: a mode asked
// for at creation, then set exactly, since the umask can only take bits away.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_FOLDER_MODE = 0o700;

/** Creates a folder (and its missing parents) readable by the owner only; a folder already there is left as it is. */
export function makePrivateFolder(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (first) chmodSync(dir, PRIVATE_FOLDER_MODE);
}

/** Writes a file whole (through a temporary name, then a rename) that only its owner may read. */
export function writePrivateFile(path: string, data: string | Uint8Array, temp = `${path}.tmp`): void {
  writeFileSync(temp, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(temp, PRIVATE_FILE_MODE);
  renameSync(temp, path);
}
