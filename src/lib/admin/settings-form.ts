// The settings page (Admin → Settings): branding, site name, time zone and default language.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import { saveSiteSettings } from '../site/save-site-settings';
import { takeBackupNow } from '../site/backup-now';
import type { Config } from '../config';
import { actorFor, checked, text } from './form-input';
import type { FormOutcome } from './run-form';

/** An uploaded file's bytes; no file chosen (an empty part) is undefined. */
async function upload(form: FormData, name: string): Promise<Buffer | undefined> {
  const value = form.get(name);
  if (value === null || typeof value === 'string' || value.size === 0) return undefined;
  return Buffer.from(await value.arrayBuffer());
}

/** Runs the submitted form and returns where to go next. */
export async function handleSettingsForm(db: Db, config: Config, form: FormData, user: SessionUser, now: number): Promise<FormOutcome<never>> {
  if (text(form, 'intent') === 'backup_now') {
    await takeBackupNow(db, config, { now, actor: actorFor(user) });
    return '/admin/settings?done=backup#backup-status';
  }
  saveSiteSettings(
    db,
    {
      siteName: text(form, 'siteName'),
      timeZone: text(form, 'timeZone'),
      defaultLocale: text(form, 'defaultLocale'),
      accentColor: text(form, 'accentColor'),
      accentColorDark: text(form, 'accentColorDark'),
      mainSiteUrl: text(form, 'mainSiteUrl'),
      supportUrl: text(form, 'supportUrl'),
      footerText: text(form, 'footerText'),
      footerTextJa: text(form, 'footerTextJa'),
      customCss: text(form, 'customCss'),
      logo: await upload(form, 'logo'),
      removeLogo: checked(form, 'removeLogo'),
      favicon: await upload(form, 'favicon'),
      removeFavicon: checked(form, 'removeFavicon'),
    },
    { now, actor: actorFor(user) },
  );
  return '/admin/settings?done=saved';
}
