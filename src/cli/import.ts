// Moving in from Statuspage: `npm run import -- statuspage <page URL>`, or with
// --api-key and --page-id the authenticated API (whole history and subscribers).
import { createInterface } from 'node:readline/promises';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { importStatuspage, readStatuspage, type ImportProgress, type ImportReport } from '../lib/import/statuspage';

const USAGE = `Usage:
  npm run import -- statuspage <page URL>
  npm run import -- statuspage --page-id <id> --api-key <key> [--subscribers-confirmed] [--api-base <url>]

The first form reads the page's public API (summary, the latest incidents and
maintenance). The second reads the authenticated API at api.statuspage.io:
every incident and the email subscribers, who are each sent a request to
confirm unless --subscribers-confirmed says they all agreed to hear from this
site. Nobody is notified of the history. Running it again updates what changed and adds nothing twice.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A bar on a terminal, a line per step in a log. */
function progressBar(stream: NodeJS.WriteStream): ImportProgress {
  let lastLine = '';
  return ({ phase, label, done, total }) => {
    const verb = phase === 'read' ? 'Reading' : 'Writing';
    if (!stream.isTTY) {
      const line = `${verb} ${label}`;
      if (line !== lastLine && label !== 'done') stream.write(`${line}\n`);
      lastLine = line;
      return;
    }
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const columns = (stream.columns || 80) - 1;
    stream.write(`\r${`${verb} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(columns).slice(0, columns)}`);
    if (done === total) stream.write('\n');
  };
}

function summary(report: ImportReport): string {
  const row = (name: string, c: { added: number; updated: number }) =>
    `  ${name.padEnd(14)} ${String(c.added).padStart(5)} added ${String(c.updated).padStart(5)} updated`;
  return [
    `Imported from ${report.name} (${report.source}):`,
    row('groups', report.groups),
    row('components', report.components),
    row('incidents', report.incidents),
    row('maintenance', report.maintenances),
    row('updates', report.updates),
    row('subscribers', report.subscribers),
    `  ${report.statusChanges} component status changes recorded. Nobody was notified of the history.`,
    ...(report.adjusted.length > 0 ? [`Held to this site's limits, as the API would have been (${report.adjusted.length}):`] : []),
    ...report.adjusted.map((a) =>
      a.action === 'cut'
        ? `  cut      ${a.kind} ${a.id} ("${a.label}"): its ${a.field} was cut to the longest this site keeps`
        : `  refused  ${a.kind} ${a.id} ("${a.label}"): its ${a.field} has control characters in it or is too long`,
    ),
  ].join('\n');
}

async function main(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'statuspage') {
    console.error(USAGE);
    return 2;
  }
  const apiKey = option(rest, '--api-key') ?? process.env.STATUSPAGE_API_KEY;
  const pageId = option(rest, '--page-id');
  const apiBase = option(rest, '--api-base');
  const valued = new Set(['--api-key', '--page-id', '--api-base']);
  const pageUrl = rest.find((a, i) => !a.startsWith('--') && !valued.has(rest[i - 1] ?? ''));
  const subscribersConfirmed = rest.includes('--subscribers-confirmed');
  if (!pageUrl && !(apiKey && pageId)) {
    console.error(USAGE);
    return 2;
  }
  const { config } = readSettings();
  const progress = progressBar(process.stderr);
  if (subscribersConfirmed) {
    if (!apiKey || !pageId) {
      console.error('--subscribers-confirmed needs the authenticated API (--page-id and --api-key): the public page lists no subscribers.');
      return 2;
    }
    console.error(
      'Warning: every imported subscriber will be counted as confirmed and will get notifications from this site without being asked again.\n' +
        'Do this only if every one of them agreed to hear from you on Statuspage; otherwise leave out --subscribers-confirmed.',
    );
    if (process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = (await rl.question('Type "yes" to import them as confirmed: ')).trim().toLowerCase();
      rl.close();
      if (answer !== 'yes') {
        console.error('Nothing was imported.');
        return 1;
      }
    }
  }
  const page = await readStatuspage(apiKey && pageId ? { apiKey, pageId, apiBase } : { pageUrl }, progress);
  const db = openSiteDatabase(config, { log: (line) => console.error(line) });
  const ctx = { now: Date.now(), actor: { kind: 'system' as const, id: null, label: 'command line' } };
  const report = importStatuspage(db, page, { subscribersConfirmed, locale: config.defaultLocale }, ctx, progress);
  db.$client.close();
  console.log(summary(report));
  if (report.subscribers.added > 0 && !subscribersConfirmed) {
    console.log(`  ${report.subscribers.added} new subscribers were each sent a request to confirm; those who do not confirm within 48 hours are removed.`);
  }
  return 0;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch(exitWithError);
