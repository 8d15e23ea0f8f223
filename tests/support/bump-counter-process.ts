// Commits from a separate process on each line read from stdin, as another
// server or the CLI would, answering "done" once the commit has returned.
import { createInterface } from 'node:readline';
import { openDatabase } from '../../db/open';
import { bumpChangeCounter } from '../../src/lib/site/change-counter';

const db = openDatabase(process.argv[2]!);
const lines = createInterface({ input: process.stdin });
lines.on('line', () => {
  db.transaction((tx) => bumpChangeCounter(tx));
  process.stdout.write('done\n');
});
lines.on('close', () => db.$client.close());
