import type { Db } from '../../../db/open';
import { insertUser, prepareUser } from '../auth/create-user';
import { isDatabaseEmpty, seedDemo } from './seed-demo';
import type { PostmortemSources } from '../postmortems/load-postmortems';

const DEMO_ADMIN_EMAIL = 'admin@example.com';

export interface FirstStart {
  seeded: boolean;
  /** The demo admin's sign-in, to be shown once; present only when this call seeded. */
  admin?: { email: string; password: string };
}

/**
 * Seeds the demo and creates its admin in one transaction (the verbs' own
 * transactions nest as savepoints). A start that fails half-way leaves the
 * database empty, so the next start seeds it again instead of finding half a
 * demo and no way to sign in.
 */
export async function seedFirstStart(
  db: Db,
  options: { now: number; timeZone: string; seed: 'auto' | 'never'; siteUrl?: string; postmortems?: PostmortemSources },
): Promise<FirstStart> {
  if (options.seed !== 'auto' || !isDatabaseEmpty(db)) return { seeded: false };
  // Hashed before the transaction: scrypt runs on the worker pool, and a transaction cannot wait.
  const prepared = await prepareUser({ email: DEMO_ADMIN_EMAIL, name: 'Demo admin', role: 'admin' });
  return db.$client
    .transaction((): FirstStart => {
      if (!isDatabaseEmpty(db)) return { seeded: false };
      // The admin first: the demo report's follow-ups are theirs.
      const admin = insertUser(db, prepared, { now: options.now });
      seedDemo(db, options.now, options.timeZone, options.siteUrl, options.postmortems && { postmortems: options.postmortems, ownerId: admin.userId });
      return { seeded: true, admin: { email: DEMO_ADMIN_EMAIL, password: admin.password } };
    })
    .immediate();
}
