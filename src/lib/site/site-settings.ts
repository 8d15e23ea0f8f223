import { eq } from 'drizzle-orm';
import { builtOnce, type Db } from '../../../db/open';
import { siteFiles, siteSettings } from '../../../db/schema';
import type { Config } from '../config';
import { isLocale, type Locale } from '../i18n/messages';
import { siteFilePath, type SiteFileKind } from './site-files';

export type SiteSettingsRow = typeof siteSettings.$inferSelect;

/** The one settings row, or undefined when staff have never saved the settings page. */
export function readSiteSettings(db: Pick<Db, 'select'> & Partial<Pick<Db, '$client'>>): SiteSettingsRow | undefined {
  const query = () => db.select().from(siteSettings).where(eq(siteSettings.id, 1));
  // Read on every render: built once per connection (see builtOnce).
  return builtOnce(db, 'readSiteSettings', () => query().prepare()).get();
}

/** The configuration with what staff set under Admin → Settings in place of the environment's defaults. */
export function withSiteSettings(config: Config, row: SiteSettingsRow | undefined): Config {
  if (!row) return config;
  const locale = row.defaultLocale && isLocale(row.defaultLocale) ? row.defaultLocale : undefined;
  if (!row.siteName && !row.timeZone && !locale) return config;
  return { ...config, siteName: row.siteName ?? config.siteName, timeZone: row.timeZone ?? config.timeZone, defaultLocale: locale ?? config.defaultLocale };
}

/** What the public layout shows of the branding: every field is absent when not set. */
export interface Branding {
  logo?: string;
  favicon?: string;
  /** The theme stylesheet: the accent colour and the custom stylesheet. */
  theme?: string;
  accented: boolean;
  mainSiteUrl?: string;
  supportUrl?: string;
  footerText?: string;
}

export function readSiteFilePaths(db: Pick<Db, 'select'>): Partial<Record<SiteFileKind, string>> {
  const rows = db.select({ kind: siteFiles.kind, hash: siteFiles.hash, contentType: siteFiles.contentType }).from(siteFiles).all();
  return Object.fromEntries(rows.map((r) => [r.kind, siteFilePath(r.kind as SiteFileKind, r.hash, r.contentType)]));
}

export function readBranding(db: Pick<Db, 'select'>, locale: Locale): Branding {
  const row = readSiteSettings(db);
  const paths = readSiteFilePaths(db);
  const footer = locale === 'ja' ? (row?.footerTextJa ?? row?.footerText) : row?.footerText;
  return {
    ...paths,
    accented: Boolean(row?.accentColor),
    ...(row?.mainSiteUrl ? { mainSiteUrl: row.mainSiteUrl } : {}),
    ...(row?.supportUrl ? { supportUrl: row.supportUrl } : {}),
    ...(footer ? { footerText: footer } : {}),
  };
}

/** Every file served under /brand/, for the serving thread and the static copy. */
export function loadSiteFiles(db: Pick<Db, 'select'>): { path: string; kind: SiteFileKind; hash: string; contentType: string; body: Buffer }[] {
  return db
    .select()
    .from(siteFiles)
    .all()
    .map((r) => ({
      path: siteFilePath(r.kind as SiteFileKind, r.hash, r.contentType),
      kind: r.kind as SiteFileKind,
      hash: r.hash,
      contentType: r.contentType,
      body: r.body,
    }));
}
