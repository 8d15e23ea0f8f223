// A backup is one tar file: the database (an online SQLite copy), every
// postmortem file, and a manifest naming each with its size and SHA-256.
// Restoring checks all of it before anything is replaced, and keeps the
// replaced state beside the new one.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar';
import type { Db } from '../../../db/open';
import { postmortemFolder } from '../postmortems/postmortem-path';

const FORMAT = 'shirase-backup';
const MANIFEST = 'manifest.json';
const DATABASE_ENTRY = 'database/shirase.db';
const POSTMORTEMS = 'postmortems';

interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

interface BackupManifest {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  files: ManifestFile[];
}

/** Something wrong with a backup file: said plainly, and nothing was changed. */
class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function integrityOk(path: string): boolean {
  const check = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return check.pragma('integrity_check', { simple: true }) === 'ok';
  } finally {
    check.close();
  }
}

/** A file's SHA-256, read a megabyte at a time: a database of hundreds of megabytes is never held in memory whole. */
function sha256(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Copies the live database with SQLite's online backup, a few pages at a
 * time, so writers are never blocked for long; then checks the copy.
 */
export async function backupDatabase(db: Db, target: string): Promise<{ pages: number; ms: number }> {
  mkdirSync(dirname(target), { recursive: true });
  const started = Date.now();
  const temp = `${target}.partial`;
  rmSync(temp, { force: true });
  const result = await db.$client.backup(temp, { progress: () => 200 });
  if (!integrityOk(temp)) {
    rmSync(temp, { force: true });
    throw new BackupError('The database copy failed its integrity check and was discarded.');
  }
  renameSync(temp, target);
  return { pages: result.totalPages, ms: Date.now() - started };
}

/** The postmortem files of a folder, by plain name only (the folder guard refuses links that point out). */
function postmortemFiles(dir: string): { name: string; path: string }[] {
  if (!existsSync(dir)) return [];
  const folder = postmortemFolder(dir);
  return readdirSync(folder.root)
    .filter((name) => name.endsWith('.md') && !name.startsWith('.'))
    .sort()
    .map((name) => ({ name, path: folder.path(name) }))
    .filter((f) => statSync(f.path).isFile());
}

/**
 * Takes a backup into `target`: the database first, then the postmortem
 * files. A postmortem saved after the database copy is in the backup too;
 * one saved before is in both. The file appears only once whole.
 */
export async function takeBackup(db: Db, postmortemsDir: string, target: string): Promise<{ bytes: number; ms: number; postmortems: number }> {
  const started = Date.now();
  const stage = `${target}.partial.d`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, POSTMORTEMS), { recursive: true });
  try {
    await backupDatabase(db, join(stage, DATABASE_ENTRY));
    const postmortems = postmortemFiles(postmortemsDir);
    for (const f of postmortems) copyFileSync(f.path, join(stage, POSTMORTEMS, f.name));
    const paths = [DATABASE_ENTRY, ...postmortems.map((f) => `${POSTMORTEMS}/${f.name}`)];
    const manifest: BackupManifest = {
      format: FORMAT,
      version: 1,
      createdAt: new Date().toISOString(),
      files: paths.map((path) => ({ path, size: statSync(join(stage, path)).size, sha256: sha256(join(stage, path)) })),
    };
    writeFileSync(join(stage, MANIFEST), JSON.stringify(manifest, null, 2));
    const partial = `${target}.partial`;
    await tar.c({ file: partial, cwd: stage, portable: true }, [MANIFEST, ...paths]);
    renameSync(partial, target);
    return { bytes: statSync(target).size, ms: Date.now() - started, postmortems: postmortems.length };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** What restoring a checked backup will do to the postmortem folder. */
export interface RestorePlan {
  manifest: BackupManifest;
  /** Postmortem files there now that the backup does not have: restoring removes them (they are kept beside). */
  removes: string[];
  /** Files the backup brings back with other contents. */
  replaces: string[];
  adds: string[];
}

/** A plain postmortem file name inside the archive, as takeBackup writes them. */
const ENTRY = /^(manifest\.json|database\/shirase\.db|postmortems\/[A-Za-z0-9][A-Za-z0-9._-]*\.md)$/;

/**
 * Unpacks a backup into `stage` and checks every part of it: only the
 * entries a backup has (plain files under known names, nothing else
 * extracted), each matching the manifest's size and SHA-256, nothing in the
 * manifest missing, and a database that passes SQLite's integrity check.
 */
async function unpackChecked(source: string, stage: string): Promise<BackupManifest> {
  if (!existsSync(source)) throw new BackupError(`There is no backup at ${source}.`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const strays: string[] = [];
  try {
    await tar.x({
      file: source,
      cwd: stage,
      strict: true,
      filter: (path, entry) => {
        const ok = ENTRY.test(path) || path === 'database/' || path === 'postmortems/';
        const kind = 'type' in entry ? entry.type : 'File';
        if (!ok || (kind !== 'File' && kind !== 'Directory')) strays.push(path);
        return ok && (kind === 'File' || kind === 'Directory');
      },
    });
  } catch (error) {
    throw new BackupError(`${source} is not a readable backup (${error instanceof Error ? error.message : String(error)}); nothing was changed.`);
  }
  if (strays.length > 0) throw new BackupError(`${source} holds entries a Shirase backup never has (${strays.slice(0, 3).join(', ')}); nothing was changed.`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(stage, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${source} has no readable manifest; it is not a Shirase backup, or it is damaged. Nothing was changed.`);
  }
  if (manifest.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files)) throw new BackupError(`${source} is not a Shirase backup this version can read; nothing was changed.`);
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (!ENTRY.test(f.path) || f.path === MANIFEST) throw new BackupError(`${source} lists an unexpected file (${String(f.path)}); nothing was changed.`);
    const path = join(stage, f.path);
    if (!existsSync(path)) throw new BackupError(`${source} is missing ${f.path}, which its manifest lists; nothing was changed.`);
    if (statSync(path).size !== f.size || sha256(path) !== f.sha256) throw new BackupError(`${f.path} in ${source} does not match its checksum: the file is damaged. Nothing was changed.`);
    listed.add(f.path);
  }
  if (!listed.has(DATABASE_ENTRY)) throw new BackupError(`${source} holds no database; nothing was changed.`);
  const unlisted = readdirSync(join(stage, POSTMORTEMS), { withFileTypes: true }).filter((e) => !listed.has(`${POSTMORTEMS}/${e.name}`));
  if (unlisted.length > 0) throw new BackupError(`${source} holds files its manifest does not list (${unlisted[0]!.name}); nothing was changed.`);
  if (!integrityOk(join(stage, DATABASE_ENTRY))) throw new BackupError(`The database in ${source} fails SQLite's integrity check; nothing was changed.`);
  return manifest;
}

function planRestore(manifest: BackupManifest, stage: string, postmortemsDir: string): RestorePlan {
  const incoming = new Map(manifest.files.filter((f) => f.path.startsWith(`${POSTMORTEMS}/`)).map((f) => [basename(f.path), f.sha256]));
  const current = new Map(postmortemFiles(postmortemsDir).map((f) => [f.name, sha256(f.path)]));
  return {
    manifest,
    removes: [...current.keys()].filter((name) => !incoming.has(name)),
    replaces: [...current.entries()].filter(([name, sum]) => incoming.has(name) && incoming.get(name) !== sum).map(([name]) => name),
    adds: [...incoming.keys()].filter((name) => !current.has(name)),
  };
}

/** Where the state a restore replaced is kept: beside the original, named by the time of the restore. */
function besidePath(path: string, stamp: string): string {
  return `${path}.before-restore-${stamp}`;
}

/**
 * Restores a backup over the database and the postmortem folder; the server
 * must be stopped. Everything is checked first (see unpackChecked). With
 * `dryRun`, or when `confirm` refuses the plan, nothing changes. Otherwise
 * the current database and folder are renamed aside (`….before-restore-…`)
 * and the backup's moved in, each a rename on the same file system; if a
 * step fails, what was moved aside is moved back.
 */
export async function restoreBackup(
  source: string,
  target: { databasePath: string; postmortemsDir: string },
  confirm: (plan: RestorePlan) => boolean = () => true,
): Promise<{ plan: RestorePlan; keptBeside: string[] } | { plan: RestorePlan; declined: true }> {
  mkdirSync(dirname(target.databasePath), { recursive: true });
  const stage = `${target.databasePath}.restore-${process.pid}.d`;
  try {
    const manifest = await unpackChecked(source, stage);
    const plan = planRestore(manifest, stage, target.postmortemsDir);
    if (!confirm(plan)) return { plan, declined: true };
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // The postmortems go into a folder beside the current one first, so the final step is a rename.
    const incomingFolder = `${target.postmortemsDir}.restoring-${process.pid}`;
    rmSync(incomingFolder, { recursive: true, force: true });
    mkdirSync(dirname(incomingFolder), { recursive: true });
    renameOrCopyDir(join(stage, POSTMORTEMS), incomingFolder);
    const incomingDb = `${target.databasePath}.restoring`;
    copyFileSync(join(stage, DATABASE_ENTRY), incomingDb);

    const moves: [string, string][] = [];
    const move = (from: string, to: string) => {
      renameSync(from, to);
      moves.push([from, to]);
    };
    try {
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(target.databasePath + suffix)) move(target.databasePath + suffix, besidePath(target.databasePath, stamp) + suffix);
      if (existsSync(target.postmortemsDir)) move(target.postmortemsDir, besidePath(target.postmortemsDir, stamp));
      move(incomingDb, target.databasePath);
      move(incomingFolder, target.postmortemsDir);
    } catch (error) {
      for (const [from, to] of moves.reverse()) if (existsSync(to)) renameSync(to, from);
      rmSync(incomingFolder, { recursive: true, force: true });
      rmSync(incomingDb, { force: true });
      throw new BackupError(`The restore could not put the files in place (${error instanceof Error ? error.message : String(error)}); the previous state was moved back.`);
    }
    const keptBeside = moves.filter(([from]) => from === target.databasePath || from === target.postmortemsDir).map(([, to]) => to);
    return { plan, keptBeside };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** A rename when the stage and the folder share a file system (they are both beside the database by default), else a copy. */
function renameOrCopyDir(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
  }
}

/** Puts a checked SQLite file in place of the database file, removing the old file's journal: for restoring a bare database copy. */
export function restoreDatabase(source: string, target: string): void {
  if (!existsSync(source)) throw new BackupError(`There is no backup at ${source}.`);
  if (!integrityOk(source)) throw new BackupError(`${source} is not a sound SQLite database; nothing was changed.`);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.restoring`;
  copyFileSync(source, temp);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(temp, target);
}
