// Admin → Settings → Import from Statuspage: the public page's address, read and written as the CLI does.
import type { Db } from '../../../db/open';
import type { Config } from '../config';
import type { SessionUser } from '../auth/sessions';
import { importStatuspage, readStatuspage, type ImportReport } from '../import/statuspage';
import { actorFor, text } from './form-input';
import type { FormOutcome } from './run-form';

/** Reads the page whole, then imports it in one transaction; what was brought in is shown on this response. */
export async function handleStatuspageImportForm(
  db: Db,
  form: FormData,
  user: SessionUser,
  config: Config,
  now: () => number,
): Promise<FormOutcome<ImportReport>> {
  const page = await readStatuspage({ pageUrl: text(form, 'url'), guard: { allowPrivate: config.webhookAllowPrivate } });
  // The clock is read after the page arrived: a slow source must not leave "now" before the statuses it reported.
  return { show: importStatuspage(db, page, { locale: config.defaultLocale }, { now: now(), actor: actorFor(user) }) };
}
