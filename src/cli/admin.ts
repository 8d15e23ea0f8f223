// Staff accounts and status pages from the command line: `npm run admin -- user add <email> --role admin|editor`,
// `npm run admin -- page add <slug> --name <name> --host <host>`.
import { createInterface } from 'node:readline/promises';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { findUserByEmail, listUsers, ROLES, type Role } from '../lib/auth/users';
import { createUser } from '../lib/auth/create-user';
import { disableUser } from '../lib/auth/disable-user';
import { resetPassword } from '../lib/auth/reset-password';
import { unlockUser } from '../lib/auth/unlock-user';
import type { Db } from '../../db/open';
import type { WriteContext } from '../lib/write-context';
import { addPage } from '../lib/pages/add-page';
import { removePage } from '../lib/pages/remove-page';
import { listPages, loadPage } from '../lib/pages/load-pages';
import type { NewPage } from '../lib/pages/page-input';

const USAGE = `Usage:
  npm run admin -- user add <email> [--role admin|editor] [--name "Full Name"] [--ask-password]
  npm run admin -- user list
  npm run admin -- user disable <email>
  npm run admin -- user unlock <email>
  npm run admin -- user reset-password <email> [--clear-2fa]
  npm run admin -- page add <slug> --name "Name" [--host <host>]... [--component <id>]... [--language en|ja] [--private --viewer <address or @domain>...]
  npm run admin -- page list
  npm run admin -- page remove <slug>

Without --ask-password a strong password is generated and printed once.
unlock forgets the account's failed sign-ins. reset-password prints a new
password once and ends the account's sessions; --clear-2fa also turns off
two-factor sign-in (for a lost phone).

A page answers the host names given (status.example.com, no port); every
other host gets the default page. Removing a page sends its hosts to the
default page and keeps its components. Admin → Status pages and the API
(/api/v1/pages) change pages too. --private is refused: private pages need
viewer sign-in, which this version does not have yet.`;

/** Every value given for an option that may be repeated: --host a --host b. */
function options(args: string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name && args[i + 1] !== undefined ? [args[i + 1]!] : []));
}

function pageCommand(db: Db, verb: string | undefined, subject: string | undefined, args: string[], ctx: WriteContext): number {
  if (verb === 'list') {
    for (const p of listPages(db))
      console.log(
        [
          p.slug,
          p.name ?? '(the site’s name)',
          p.isDefault ? 'default' : p.hosts.join(',') || '(no host)',
          p.private ? 'private' : 'public',
          `${p.componentIds.length} component(s)`,
        ].join('\t'),
      );
    return 0;
  }
  if (!subject) {
    console.error(USAGE);
    return 2;
  }
  if (verb === 'add') {
    const language = option(args, '--language');
    addPage(
      db,
      {
        slug: subject,
        name: option(args, '--name') ?? '',
        hosts: options(args, '--host'),
        componentIds: options(args, '--component'),
        // Shown only to the addresses and domains --viewer names (none: nobody yet).
        private: args.includes('--private'),
        viewers: options(args, '--viewer'),
        defaultLocale: language as NewPage['defaultLocale'],
      },
      ctx,
    );
    const page = loadPage(db, subject.trim().toLowerCase())!;
    console.log(
      `Added the ${page.private ? 'private' : 'public'} page ${page.slug}: ${page.hosts.length > 0 ? page.hosts.join(', ') : 'no host yet'}, ${page.componentIds.length} component(s).`,
    );
    return 0;
  }
  if (verb === 'remove') {
    const moved = removePage(db, subject, ctx);
    console.log(
      `Removed the page ${subject}; its hosts now reach the default page. Moved to the default page: ${moved.subscribers} subscriber(s), ${moved.browsers} browser(s), ${moved.channels} chat channel(s)` +
        (moved.alreadyOnDefault > 0 ? `; ${moved.alreadyOnDefault} address(es) already subscribed there kept that subscription.` : '.'),
    );
    return 0;
  }
  console.error(USAGE);
  return 2;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const { config } = readSettings();
  const db = openSiteDatabase(config, { log: (line) => console.error(line) });
  const ctx = { now: Date.now(), actor: { kind: 'system' as const, id: null, label: 'command line' } };
  const [noun, verb, subject] = args;
  if (noun === 'page') return pageCommand(db, verb, subject, args, ctx);
  if (noun !== 'user' || !verb) {
    console.error(USAGE);
    return 2;
  }
  if (verb === 'list') {
    for (const u of listUsers(db)) console.log(`${u.email}\t${u.role}${u.totpEnabledAt ? '\ttwo-factor' : ''}${u.disabledAt ? '\tdisabled' : ''}`);
    return 0;
  }
  if (!subject) {
    console.error(USAGE);
    return 2;
  }
  if (verb === 'add') {
    const role = (option(args, '--role') ?? 'editor') as Role;
    if (!ROLES.includes(role)) {
      console.error(`--role must be one of ${ROLES.join(', ')}; got "${role}".`);
      return 2;
    }
    let password: string | undefined;
    if (args.includes('--ask-password')) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      password = (await rl.question('Password (at least 12 characters): ')).trim();
      rl.close();
    }
    const result = await createUser(db, { email: subject, role, name: option(args, '--name'), password }, ctx);
    console.log(`Added ${subject.trim().toLowerCase()} as ${role}.`);
    if (result.generated) console.log(`Password (shown only now): ${result.password}`);
    return 0;
  }
  if (verb === 'disable') {
    const { sessionsEnded, tokensStopped } = disableUser(db, findUserByEmail(db, subject).id, ctx);
    console.log(`Disabled ${subject.trim().toLowerCase()}: ${sessionsEnded} session(s) ended, ${tokensStopped} API token(s) it created stopped working.`);
    return 0;
  }
  if (verb === 'unlock') {
    const { cleared } = unlockUser(db, findUserByEmail(db, subject).id, ctx);
    console.log(`Unlocked ${subject.trim().toLowerCase()}: ${cleared} failed sign-in record(s) forgotten.`);
    return 0;
  }
  if (verb === 'reset-password') {
    const clearTwoFactor = args.includes('--clear-2fa');
    const reset = await resetPassword(db, findUserByEmail(db, subject).id, { clearTwoFactor }, ctx);
    console.log(`Reset the password of ${reset.email}; ${reset.sessionsEnded} session(s) ended${clearTwoFactor ? ', two-factor sign-in turned off' : ''}.`);
    console.log(`Password (shown only now): ${reset.password}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch(exitWithError);
