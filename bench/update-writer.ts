// Staff posting an update every second, in a process of its own (as the CLI,
// a second server or the write API from elsewhere would), so the load
// generator's busy event loop does not delay its clock. For each update it
// records how long summary.json takes to show it, polling as the live page's
// fallback does (If-None-Match, so an unchanged answer is a 304), and prints
// the delays as JSON when told to stop.
import { openDatabase } from '../db/open';
import { postIncidentUpdate } from '../src/lib/incidents/post-update';

const [databasePath, incidentId, serverUrl] = process.argv.slice(2) as [string, string, string];
const db = openDatabase(databasePath);
const delays: number[] = [];
let writing = true;
process.on('message', () => {
  writing = false;
});

async function visible(updateId: string, posted: number): Promise<void> {
  let etag: string | null = null;
  while (performance.now() - posted < 5_000) {
    const res: Response | undefined = await fetch(serverUrl + '/api/v2/summary.json', { headers: etag ? { 'if-none-match': etag } : {} }).catch(
      () => undefined,
    );
    if (res?.status === 200) {
      etag = res.headers.get('etag');
      if ((await res.text()).includes(updateId)) return;
    } else await res?.arrayBuffer();
    await new Promise((r) => setTimeout(r, 10));
  }
}

let n = 0;
while (writing) {
  const { updateId } = postIncidentUpdate(db, incidentId, { status: 'identified', body: `Benchmark update ${++n}` }, { now: Date.now() });
  const posted = performance.now();
  await visible(updateId, posted);
  delays.push(Math.round(performance.now() - posted));
  // The first one tells the benchmark the writer is up (its start costs CPU the load should not share).
  if (delays.length === 1) process.send!('ready');
  await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (performance.now() - posted))));
}
process.send!(delays, () => process.exit(0));
