// Staff accounts from the command line: `npm run admin -- user add <email> --role admin|editor`.
import { createInterface } from 'node:readline/promises';
import { ConfigError, parseConfig } from '../lib/config';
import { migrateDatabase, openDatabase } from '../../db/open';
import { findUserByEmail, listUsers, ROLES, type Role } from '../lib/auth/users';
import { createUser } from '../lib/auth/create-user';
import { disableUser } from '../lib/auth/disable-user';
import { resetPassword } from '../lib/auth/reset-password';
import { unlockUser } from '../lib/auth/unlock-user';
import { ShiraseError } from '../lib/errors';

const USAGE = `Usage:
  npm run admin -- user add <email> [--role admin|editor] [--name "Full Name"] [--ask-password]
  npm run admin -- user list
  npm run admin -- user disable <email>
  npm run admin -- user unlock <email>
  npm run admin -- user reset-password <email> [--clear-2fa]

Without --ask-password a strong password is generated and printed once.
unlock forgets the account's failed sign-ins. reset-password prints a new
password once and ends the account's sessions; --clear-2fa also turns off
two-factor sign-in (for a lost phone).`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const config = parseConfig();
  const db = openDatabase(config.databasePath, { maxBytes: config.databaseMaxBytes });
  migrateDatabase(db);
  const ctx = { now: Date.now(), actor: { kind: 'system' as const, id: null, label: 'command line' } };
  const [noun, verb, subject] = args;
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
    disableUser(db, findUserByEmail(db, subject).id, ctx);
    console.log(`Disabled ${subject} and ended its sessions.`);
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
  .catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof ShiraseError) console.error(`${error.message}${error.fields.length ? ' ' + error.localized('en').fields.map((f) => `${f.field}: ${f.message}`).join(' ') : ''}`);
    else console.error(error);
    process.exit(1);
  });
