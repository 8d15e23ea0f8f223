// A backup is one tar file: the database (an online SQLite copy), every
// postmortem file, and a manifest naming each with its size and SHA-256;
// encrypted to an age recipient when one is configured. It holds every
// secret the database holds, so it is written for its owner only (0600).
// Restoring checks all of it before anything is replaced, and keeps the
// replaced state beside the new one.
import Database from 'better-sqlite3';
import { Decrypter, Encrypter } from 'age-encryption';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, pipeline as streamPipeline } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import type { Db } from '../../../db/open';
import { postmortemFolder } from '../postmortems/postmortem-path';
import { makePrivateFolder, PRIVATE_FILE_MODE, writePrivateFile } from '../private-files';

const FORMAT = 'shirase-backup';
const MANIFEST = 'manifest.json';
const DATABASE_ENTRY = 'database/shirase.db';
const POSTMORTEMS = 'postmortems';
/** A postmortem file is at most 200,000 characters of Markdown and its front matter: well under this. */
const MAX_POSTMORTEM_FILE_BYTES = 2 * 1024 * 1024;
/** The first bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

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
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function integrityOk(path: string): boolean {
  const check = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return check.pragma('integrity_check', { simple: true }) === 'ok';
  } catch {
    // Not a database at all (SQLITE_NOTADB) is as unsound as a damaged one.
    return false;
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
  makePrivateFolder(dirname(target));
  const started = Date.now();
  const temp = `${target}.partial`;
  rmSync(temp, { force: true });
  // Created empty and private first: SQLite would make the copy readable by anyone the umask allows.
  closeSync(openSync(temp, 'wx', PRIVATE_FILE_MODE));
  chmodSync(temp, PRIVATE_FILE_MODE);
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

/** The start of every file age writes in its binary format (`age -a` armour is not taken). */
const AGE_MAGIC = 'age-encryption.org/v1\n';

/**
 * Takes a backup into `target`: the database first, then the postmortem
 * files. A postmortem saved after the database copy is in the backup too;
 * one saved before is in both. The file appears only once whole, readable
 * by its owner only; with `ageRecipient` it is encrypted to that key
 * (`age -d -i key.txt` reads it back, as does `npm run restore`).
 */
export async function takeBackup(
  db: Db,
  postmortemsDir: string,
  target: string,
  options: { ageRecipient?: string } = {},
): Promise<{ bytes: number; ms: number; postmortems: number }> {
  const started = Date.now();
  const stage = `${target}.partial.d`;
  rmSync(stage, { recursive: true, force: true });
  makePrivateFolder(dirname(target));
  makePrivateFolder(join(stage, POSTMORTEMS));
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
    writePrivateFile(join(stage, MANIFEST), JSON.stringify(manifest, null, 2));
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    let archive: Readable = Readable.from(tar.c({ cwd: stage, portable: true }, [MANIFEST, ...paths]));
    if (options.ageRecipient) {
      const encrypter = new Encrypter();
      encrypter.addRecipient(options.ageRecipient);
      const encrypted = await encrypter.encrypt(Readable.toWeb(archive) as ReadableStream<Uint8Array>);
      archive = Readable.fromWeb(encrypted as WebReadableStream<Uint8Array>);
    }
    await pipeline(archive, createWriteStream(partial, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
    chmodSync(partial, PRIVATE_FILE_MODE);
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

/** What a restore may unpack: the most bytes in all (RESTORE_MAX_MB) and the age identity for an encrypted backup. */
export interface RestoreLimits {
  maxBytes: number;
  /** The text of an age identity file (`AGE-SECRET-KEY-1…` lines; `#` comments are skipped). */
  identity?: string;
}

/** The manifest comes first in every backup and is small: a manifest larger than this is not one. */
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
/** Tar's own bytes beyond the files' contents: headers, long-name records and the end-of-archive blocks. */
const TAR_OVERHEAD_BYTES = 1024 * 1024;
const TAR_BLOCK = 512;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Reads and checks a manifest's text; says what is wrong with it. */
function readManifest(source: string, text: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupError(`${source} has no readable manifest; it is not a Shirase backup, or it is damaged. Nothing was changed.`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files))
    throw new BackupError(`${source} is not a Shirase backup this version can read; nothing was changed.`);
  const listed = new Set<string>();
  for (const f of manifest.files) {
    const ok =
      typeof f?.path === 'string' &&
      ENTRY.test(f.path) &&
      f.path !== MANIFEST &&
      Number.isSafeInteger(f.size) &&
      f.size >= 0 &&
      typeof f.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(f.sha256);
    if (!ok || listed.has(f.path)) throw new BackupError(`${source} lists an unexpected file (${String(f?.path)}); nothing was changed.`);
    listed.add(f.path);
  }
  if (!listed.has(DATABASE_ENTRY)) throw new BackupError(`${source} holds no database; nothing was changed.`);
  return manifest;
}

/** The age identities in an identity file's text. */
function ageIdentities(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A backup's bytes as stored: decrypted when it is an age file (which needs the identity), else as they are. */
async function storedBytes(source: string, identity: string | undefined): Promise<AsyncIterable<Uint8Array>> {
  const head = Buffer.alloc(AGE_MAGIC.length);
  const fd = openSync(source, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== AGE_MAGIC) return createReadStream(source);
  if (!identity)
    throw new BackupError(
      `${source} is encrypted with age. Give the identity that opens it: npm run restore -- ${source} --identity key.txt, or BACKUP_AGE_IDENTITY=key.txt. Nothing was changed.`,
    );
  const decrypter = new Decrypter();
  try {
    for (const key of ageIdentities(identity)) decrypter.addIdentity(key);
    const plain = await decrypter.decrypt(Readable.toWeb(createReadStream(source)) as ReadableStream<Uint8Array>);
    return Readable.fromWeb(plain as WebReadableStream<Uint8Array>);
  } catch (error) {
    throw new BackupError(
      `${source} could not be decrypted with the identity given (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
    );
  }
}

/** The tar stream inside: gunzipped on the way when it is compressed (a .tar.gz made by hand). */
async function* tarBytes(stored: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const chunks = stored[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  const head = first.value;
  const all = (async function* () {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  })();
  if (head[0] !== 0x1f || head[1] !== 0x8b) return yield* all;
  const gunzip = createGunzip();
  streamPipeline(Readable.from(all), gunzip, () => {});
  yield* gunzip;
}

/**
 * Unpacks a backup into `stage` and checks every part of it while reading
 * it, so a hostile archive never gets to write more than its manifest says:
 * the manifest comes first and is checked (known names, sizes in all within
 * `limits.maxBytes` and the free space); every entry after it must be a
 * plain file the manifest lists with the size it lists, or nothing of it is
 * written; the bytes inflated from a compressed archive may not exceed what
 * those sizes make up in tar; each file's SHA-256 is taken as it is written;
 * nothing listed may be missing; and the database passes SQLite's integrity
 * check.
 */
async function unpackChecked(source: string, stage: string, limits: RestoreLimits): Promise<BackupManifest> {
  if (!existsSync(source)) throw new BackupError(`There is no backup at ${source}.`);
  rmSync(stage, { recursive: true, force: true });
  makePrivateFolder(join(stage, POSTMORTEMS));
  makePrivateFolder(join(stage, 'database'));
  let failure: BackupError | undefined;
  const fail = (message: string) => {
    failure ??= new BackupError(message);
  };
  let manifest: BackupManifest | undefined;
  let allowance = MANIFEST_MAX_BYTES + TAR_OVERHEAD_BYTES;
  const written = new Set<string>();
  const openFiles = new Set<number>();

  const parser = new tar.Parser({ strict: true });
  parser.on('error', (error: Error) => fail(`${source} is not a readable backup (${error.message}); nothing was changed.`));
  parser.on('entry', (entry: tar.ReadEntry) => {
    const refuse = (message: string) => {
      fail(message);
      entry.resume();
    };
    if (failure) return void entry.resume();
    if (entry.type === 'Directory' && (entry.path === 'database/' || entry.path === `${POSTMORTEMS}/`)) return void entry.resume();
    if (entry.type !== 'File' || !ENTRY.test(entry.path))
      return refuse(`${source} holds entries a Shirase backup never has (${entry.path}); nothing was changed.`);
    if (!manifest) {
      if (entry.path !== MANIFEST) return refuse(`${source} does not begin with its manifest, as every Shirase backup does; nothing was changed.`);
      if (entry.size > MANIFEST_MAX_BYTES)
        return refuse(`${source} has a manifest of ${megabytes(entry.size)}, larger than any backup's; nothing was changed.`);
      const parts: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => parts.push(chunk));
      entry.on('end', () => {
        try {
          manifest = readManifest(source, Buffer.concat(parts).toString('utf8'));
          const oversized = manifest.files.find((f) => f.path.startsWith(`${POSTMORTEMS}/`) && f.size > MAX_POSTMORTEM_FILE_BYTES);
          if (oversized)
            throw new BackupError(
              `${source} lists ${oversized.path} at ${megabytes(oversized.size)}, more than any postmortem can be; it is not a Shirase backup. Nothing was written.`,
            );
          const total = manifest.files.reduce((sum, f) => sum + f.size, 0);
          if (total > limits.maxBytes)
            throw new BackupError(
              `${source} would unpack to ${megabytes(total)}, more than the ${megabytes(limits.maxBytes)} a restore takes (RESTORE_MAX_MB); nothing was written.`,
            );
          const disk = statfsSync(stage);
          const free = disk.bavail * disk.bsize;
          if (total > free)
            throw new BackupError(
              `${source} would unpack to ${megabytes(total)}, and only ${megabytes(free)} is free beside the database; nothing was written.`,
            );
          allowance = entry.size + TAR_OVERHEAD_BYTES + manifest.files.reduce((sum, f) => sum + TAR_BLOCK + Math.ceil(f.size / TAR_BLOCK) * TAR_BLOCK, 0);
        } catch (error) {
          fail((error as Error).message);
        }
      });
      return;
    }
    const listed = manifest.files.find((f) => f.path === entry.path);
    if (!listed || written.has(entry.path)) return refuse(`${source} holds files its manifest does not list (${entry.path}); nothing was changed.`);
    // Decided on the header, before a byte of the entry is written.
    if (entry.size !== listed.size)
      return refuse(
        `${entry.path} in ${source} is ${entry.size} bytes where its manifest says ${listed.size}: the backup is damaged or forged. Nothing was changed.`,
      );
    const fd = openSync(join(stage, entry.path), 'wx', PRIVATE_FILE_MODE);
    openFiles.add(fd);
    const hash = createHash('sha256');
    // The database must be SQLite from its first bytes: a forged one is refused before the rest is written.
    let head = entry.path === DATABASE_ENTRY ? Buffer.alloc(0) : undefined;
    entry.on('data', (chunk: Buffer) => {
      if (failure) return;
      if (head !== undefined && head.length < SQLITE_HEADER.length) {
        head = Buffer.concat([head, chunk.subarray(0, SQLITE_HEADER.length - head.length)]);
        if (!SQLITE_HEADER.subarray(0, head.length).equals(head))
          return fail(`The database in ${source} is not an SQLite file; it is not a Shirase backup. Nothing was changed.`);
      }
      try {
        writeSync(fd, chunk);
        hash.update(chunk);
      } catch (error) {
        fail(`Unpacking ${source} failed (${(error as Error).message}); nothing was changed.`);
      }
    });
    entry.on('end', () => {
      openFiles.delete(fd);
      closeSync(fd);
      if (hash.digest('hex') !== listed.sha256) fail(`${entry.path} in ${source} does not match its checksum: the file is damaged. Nothing was changed.`);
      written.add(entry.path);
    });
  });

  let inflated = 0;
  try {
    for await (const chunk of tarBytes(await storedBytes(source, limits.identity))) {
      inflated += chunk.length;
      if (inflated > allowance)
        fail(
          `${source} unpacks to more than ${megabytes(allowance)}, more than ${manifest ? 'the files its manifest lists' : 'a manifest'} can take up: it is not a Shirase backup (perhaps a decompression bomb). Nothing was changed.`,
        );
      if (failure) break;
      if (!parser.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
        await new Promise((resolve) => parser.once('drain', resolve));
      if (failure) break;
    }
    if (!failure)
      await new Promise<void>((resolve) => {
        parser.once('end', resolve);
        parser.once('error', () => resolve());
        parser.end();
      });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    fail(`${source} is not a readable backup (${error instanceof Error ? error.message : String(error)}); nothing was changed.`);
  } finally {
    for (const fd of openFiles) closeSync(fd);
  }
  if (failure) throw failure;
  if (!manifest) throw new BackupError(`${source} has no readable manifest; it is not a Shirase backup, or it is damaged. Nothing was changed.`);
  const missing = manifest.files.find((f) => !written.has(f.path));
  if (missing) throw new BackupError(`${source} is missing ${missing.path}, which its manifest lists; nothing was changed.`);
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
  limits: RestoreLimits,
  confirm: (plan: RestorePlan) => boolean = () => true,
): Promise<{ plan: RestorePlan; keptBeside: string[] } | { plan: RestorePlan; declined: true }> {
  makePrivateFolder(dirname(target.databasePath));
  const stage = `${target.databasePath}.restore-${process.pid}.d`;
  try {
    const manifest = await unpackChecked(source, stage, limits);
    const plan = planRestore(manifest, stage, target.postmortemsDir);
    if (!confirm(plan)) return { plan, declined: true };
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // The postmortems go into a folder beside the current one first, so the final step is a rename.
    const incomingFolder = `${target.postmortemsDir}.restoring-${process.pid}`;
    rmSync(incomingFolder, { recursive: true, force: true });
    mkdirSync(dirname(incomingFolder), { recursive: true });
    renameOrCopyDir(join(stage, POSTMORTEMS), incomingFolder);
    const incomingDb = `${target.databasePath}.restoring`;
    rmSync(incomingDb, { force: true });
    // A rename when the stage shares the database's file system (it is beside it): no second copy of a large database.
    try {
      renameSync(join(stage, DATABASE_ENTRY), incomingDb);
    } catch {
      copyFileSync(join(stage, DATABASE_ENTRY), incomingDb);
      chmodSync(incomingDb, PRIVATE_FILE_MODE);
    }

    const moves: [string, string][] = [];
    const move = (from: string, to: string) => {
      renameSync(from, to);
      moves.push([from, to]);
    };
    try {
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(target.databasePath + suffix)) move(target.databasePath + suffix, besidePath(target.databasePath, stamp) + suffix);
      if (existsSync(target.postmortemsDir)) move(target.postmortemsDir, besidePath(target.postmortemsDir, stamp));
      move(incomingDb, target.databasePath);
      move(incomingFolder, target.postmortemsDir);
    } catch (error) {
      for (const [from, to] of moves.reverse()) if (existsSync(to)) renameSync(to, from);
      rmSync(incomingFolder, { recursive: true, force: true });
      rmSync(incomingDb, { force: true });
      throw new BackupError(
        `The restore could not put the files in place (${error instanceof Error ? error.message : String(error)}); the previous state was moved back.`,
      );
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
  makePrivateFolder(dirname(target));
  const temp = `${target}.restoring`;
  copyFileSync(source, temp);
  chmodSync(temp, PRIVATE_FILE_MODE);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(temp, target);
}
