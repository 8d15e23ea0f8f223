import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Db } from '../../db/open';
import { bumpChangeCounter, changeCounterReader } from '../lib/site/change-counter';
import { folderSignature, type PostmortemSources } from '../lib/postmortems/load-postmortems';

/** How often the safety net looks, for file systems that report nothing. */
const SAFETY_NET_MS = 500;

/**
 * After a WAL event that showed no change, look again this much later (ms):
 * the commit frame reaches the file a moment before the WAL index makes it
 * visible to readers, so the first look can come too early. Each look costs
 * a few microseconds; past the last, the safety net takes over.
 */
const CHASE_MS = [1, 2, 5, 10, 20, 50];

export interface ChangeFeed {
  /** Whether the change counter moved since the last call that said so. */
  changedSinceLastLook(): boolean;
  /** The change counter as the last look found it. */
  readonly counter: number;
  close(): void;
}

function watchFolder(dir: string, onEvent: (name: string | null) => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, (_event, name) => onEvent(name));
    watcher.on('error', () => watcher.close());
    watcher.unref();
    return watcher;
  } catch {
    // No such folder (yet), or no file-system events here: the safety net covers it.
    return undefined;
  }
}

/**
 * One way to learn of a change, from this process or any other: the file
 * system says so. A commit by any connection writes the database's WAL file
 * first; a postmortem saved from an editor or the admin writes the folder.
 * Either event makes the feed look at the change counter (a postmortem edit
 * bumps it first, so it is a change like any write), and a WAL event keeps
 * looking for a few milliseconds until the commit shows. A slow poll of the
 * same two things stays as the safety net, because some file systems (network
 * ones, some container mounts) never report an event; it is the only reason
 * the feed polls at all.
 */
export function startChangeFeed(options: {
  db: Db;
  databasePath: string;
  postmortems: PostmortemSources;
  changed: () => void;
  safetyNetMs?: number;
}): ChangeFeed {
  const { db, postmortems, changed } = options;
  const readCounter = changeCounterReader(db);
  let seenCounter = readCounter();
  let seenPostmortems = folderSignature(postmortems);

  let scheduled = false;
  // Set by close: a look already scheduled then finds the database connection gone, so it does not look.
  let closed = false;
  // A commit writes the file several times; one look covers them all.
  const soon = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!closed) changed();
    });
  };
  const lookAtPostmortems = () => {
    const signature = folderSignature(postmortems);
    if (signature === seenPostmortems) return;
    seenPostmortems = signature;
    db.transaction((tx) => bumpChangeCounter(tx));
    soon();
  };

  // A WAL event looks now and, while the counter stays put, again along CHASE_MS; a newer event starts the chase over.
  let chase: NodeJS.Timeout | undefined;
  const chaseFrom = (step: number, counterBefore: number) => {
    chase = setTimeout(() => {
      chase = undefined;
      if (closed || seenCounter !== counterBefore) return;
      changed();
      if (seenCounter === counterBefore && step + 1 < CHASE_MS.length) chaseFrom(step + 1, counterBefore);
    }, CHASE_MS[step]);
    chase.unref();
  };
  const walWritten = () => {
    clearTimeout(chase);
    soon();
    chaseFrom(0, seenCounter);
  };

  const watchers: (FSWatcher | undefined)[] = [];
  if (options.databasePath !== ':memory:') {
    const file = resolve(options.databasePath);
    const wal = `${basename(file)}-wal`;
    watchers.push(watchFolder(dirname(file), (name) => name === wal && walWritten()));
  }
  for (const dir of [postmortems.dir, postmortems.shipped])
    if (dir) watchers.push(watchFolder(dir, (name) => (name === null || name.endsWith('.md')) && lookAtPostmortems()));
  const safetyNet = setInterval(() => {
    lookAtPostmortems();
    soon();
  }, options.safetyNetMs ?? SAFETY_NET_MS);
  safetyNet.unref();

  return {
    changedSinceLastLook: () => {
      const counter = readCounter();
      if (counter === seenCounter) return false;
      seenCounter = counter;
      return true;
    },
    get counter() {
      return seenCounter;
    },
    close: () => {
      closed = true;
      clearInterval(safetyNet);
      clearTimeout(chase);
      for (const w of watchers) w?.close();
    },
  };
}
