import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { siteFiles, siteSettings } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { fieldIssue, notSaved, type FieldIssue } from '../errors';
import { isLocale } from '../i18n/messages';
import { isTimeZone } from '../config';
import type { WriteContext } from '../write-context';
import { bumpChangeCounter } from './change-counter';
import { contrastRatio, MIN_TEXT_CONTRAST, normalizeHexColor } from './contrast';
import { contentHash, MAX_IMAGE_BYTES, sniffImageType, type ImageType, type SiteFileKind } from './site-files';
import { isPlainSvg } from './plain-svg';
import { readSiteSettings } from './site-settings';

/** Text on the accent colour: white in light mode; in dark mode, the dark page colour when a dark-mode accent is set. */
export const TEXT_ON_ACCENT = { light: '#ffffff', dark: '#121417' } as const;
const MAX_SITE_NAME = 100;
const MAX_FOOTER = 500;
const MAX_LINK = 500;
export const MAX_STYLESHEET_BYTES = 32 * 1024;

export interface SiteSettingsInput {
  siteName?: string;
  timeZone?: string;
  defaultLocale?: string;
  accentColor?: string;
  accentColorDark?: string;
  mainSiteUrl?: string;
  supportUrl?: string;
  footerText?: string;
  footerTextJa?: string;
  customCss?: string;
  /** A new logo or favicon; leaving one out keeps what is stored. */
  logo?: Buffer;
  removeLogo?: boolean;
  favicon?: Buffer;
  removeFavicon?: boolean;
}

const LOGO_TYPES: readonly ImageType[] = ['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'];
const FAVICON_TYPES: readonly ImageType[] = ['image/png', 'image/x-icon', 'image/svg+xml'];

function blankToNull(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

function httpLink(field: string, value: string | null, issues: FieldIssue[]): string | null {
  if (value === null) return null;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > MAX_LINK) {
    issues.push(fieldIssue(field, 'errors.field.linkNotHttp'));
    return null;
  }
  return url.href;
}

function image(
  field: 'logo' | 'favicon',
  bytes: Buffer | undefined,
  accepted: readonly ImageType[],
  issues: FieldIssue[],
): { contentType: ImageType; body: Buffer } | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  if (bytes.length > MAX_IMAGE_BYTES) {
    issues.push(fieldIssue(field, 'errors.field.imageTooLarge', { size: Math.ceil(bytes.length / 1024), max: MAX_IMAGE_BYTES / 1024 }));
    return undefined;
  }
  const type = sniffImageType(bytes);
  if (!type || !accepted.includes(type)) {
    issues.push(fieldIssue(field, field === 'logo' ? 'errors.field.logoType' : 'errors.field.faviconType'));
    return undefined;
  }
  if (type === 'image/svg+xml' && !isPlainSvg(bytes)) {
    issues.push(fieldIssue(field, 'errors.field.svgNotPlain'));
    return undefined;
  }
  return { contentType: type, body: bytes };
}

function accent(field: string, value: string | null, text: string, issues: FieldIssue[]): string | null {
  if (value === null) return null;
  const color = normalizeHexColor(value);
  if (!color) {
    issues.push(fieldIssue(field, 'errors.field.colorFormat'));
    return null;
  }
  const ratio = contrastRatio(color, text);
  if (ratio < MIN_TEXT_CONTRAST) {
    issues.push(
      fieldIssue(field, field === 'accentColor' ? 'errors.field.accentContrast' : 'errors.field.accentDarkContrast', { color, text, ratio: ratio.toFixed(2) }),
    );
    return null;
  }
  return color;
}

/** The stylesheet made from the accent colours and the custom stylesheet, or null when there is neither. */
function themeStylesheet(settings: { accentColor: string | null; accentColorDark: string | null; customCss: string | null }): string | null {
  const parts: string[] = [];
  if (settings.accentColor) {
    parts.push(`:root { --accent: ${settings.accentColor}; --on-accent: ${TEXT_ON_ACCENT.light}; }`);
    if (settings.accentColorDark)
      parts.push(`@media (prefers-color-scheme: dark) { :root { --accent: ${settings.accentColorDark}; --on-accent: ${TEXT_ON_ACCENT.dark}; } }`);
  }
  if (settings.customCss) parts.push(settings.customCss);
  return parts.length > 0 ? `${parts.join('\n')}\n` : null;
}

type FileSummary = { contentType: string; bytes: number; hash: string } | null;

/**
 * Saves the site's branding and settings (Admin → Settings): every field at
 * once, with what is left empty falling back to the environment or to none.
 * Nothing is stored unless every field is right; the change, the files, the
 * audit row and the change counter commit together, so public pages show it
 * at once.
 */
export function saveSiteSettings(db: Db, input: SiteSettingsInput, ctx: WriteContext): void {
  const issues: FieldIssue[] = [];
  const siteName = blankToNull(input.siteName);
  // One line: the name goes into titles, headers of the embed and mail.
  if (siteName && [...siteName].some((c) => c < ' ' || c === '\u007f')) issues.push(fieldIssue('siteName', 'errors.field.siteNameOneLine'));
  if (siteName && siteName.length > MAX_SITE_NAME) issues.push(fieldIssue('siteName', 'errors.field.siteNameTooLong', { max: MAX_SITE_NAME }));
  const timeZone = blankToNull(input.timeZone);
  if (timeZone && !isTimeZone(timeZone)) issues.push(fieldIssue('timeZone', 'errors.field.timeZoneUnknown', { value: timeZone }));
  const defaultLocale = blankToNull(input.defaultLocale);
  if (defaultLocale && !isLocale(defaultLocale)) issues.push(fieldIssue('defaultLocale', 'errors.field.localeUnknown'));
  const accentColor = accent('accentColor', blankToNull(input.accentColor), TEXT_ON_ACCENT.light, issues);
  const accentColorDark = accent('accentColorDark', blankToNull(input.accentColorDark), TEXT_ON_ACCENT.dark, issues);
  const mainSiteUrl = httpLink('mainSiteUrl', blankToNull(input.mainSiteUrl), issues);
  const supportUrl = httpLink('supportUrl', blankToNull(input.supportUrl), issues);
  const footerText = blankToNull(input.footerText);
  const footerTextJa = blankToNull(input.footerTextJa);
  for (const [field, value] of [
    ['footerText', footerText],
    ['footerTextJa', footerTextJa],
  ] as const) {
    if (value && value.length > MAX_FOOTER) issues.push(fieldIssue(field, 'errors.field.footerTooLong', { max: MAX_FOOTER }));
  }
  const customCss = blankToNull(input.customCss);
  if (customCss && Buffer.byteLength(customCss) > MAX_STYLESHEET_BYTES)
    issues.push(fieldIssue('customCss', 'errors.field.stylesheetTooLong', { max: MAX_STYLESHEET_BYTES / 1024 }));
  const logo = image('logo', input.logo, LOGO_TYPES, issues);
  const favicon = image('favicon', input.favicon, FAVICON_TYPES, issues);
  if (issues.length > 0) throw notSaved('settings', issues);

  const settings = { siteName, timeZone, defaultLocale, accentColor, accentColorDark, mainSiteUrl, supportUrl, footerText, footerTextJa, customCss };
  const theme = themeStylesheet(settings);
  db.transaction((tx) => {
    const before = readSiteSettings(tx);
    const filesBefore = summarizeFiles(tx);
    tx.insert(siteSettings)
      .values({ id: 1, ...settings, updatedAt: ctx.now })
      .onConflictDoUpdate({ target: siteSettings.id, set: { ...settings, updatedAt: ctx.now } })
      .run();
    const put = (kind: SiteFileKind, file: { contentType: string; body: Buffer } | null | undefined, remove: boolean) => {
      if (file) {
        const row = { contentType: file.contentType, body: file.body, hash: contentHash(file.body), updatedAt: ctx.now };
        tx.insert(siteFiles)
          .values({ kind, ...row })
          .onConflictDoUpdate({ target: siteFiles.kind, set: row })
          .run();
      } else if (remove) tx.delete(siteFiles).where(eq(siteFiles.kind, kind)).run();
    };
    put('logo', logo, input.removeLogo === true);
    put('favicon', favicon, input.removeFavicon === true);
    put('theme', theme === null ? null : { contentType: 'text/css; charset=utf-8', body: Buffer.from(theme) }, theme === null);
    const { updatedAt: _before, id: _id, ...beforeSettings } = before ?? { updatedAt: 0, id: 1 };
    recordAudit(tx, ctx, {
      action: 'settings.edit',
      entityType: 'site',
      entityId: null,
      before: before ? { ...beforeSettings, files: filesBefore } : { files: filesBefore },
      after: { ...settings, files: summarizeFiles(tx) },
    });
    bumpChangeCounter(tx);
  });
}

function summarizeFiles(tx: Pick<Db, 'select'>): Record<string, FileSummary> {
  const rows = tx.select({ kind: siteFiles.kind, contentType: siteFiles.contentType, hash: siteFiles.hash, body: siteFiles.body }).from(siteFiles).all();
  return Object.fromEntries(rows.map((r) => [r.kind, { contentType: r.contentType, bytes: r.body.length, hash: r.hash }]));
}
