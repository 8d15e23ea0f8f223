import { t, type Locale, type MessageKey } from '../i18n/messages';

const NOTICES = {
  opened: 'admin.notice.opened',
  posted: 'admin.notice.posted',
  corrected: 'admin.notice.corrected',
  deleted: 'admin.notice.deleted',
  resolved: 'admin.notice.resolved',
  edited: 'admin.notice.edited',
  scheduled: 'admin.notice.scheduled',
  cancelled: 'admin.notice.cancelled',
  seriesEdited: 'admin.notice.seriesEdited',
  rescheduled: 'admin.notice.rescheduled',
  saved: 'admin.notice.saved',
  backup: 'admin.notice.backupTaken',
  unlocked: 'admin.notice.unlocked',
  published: 'admin.notice.published',
  unpublished: 'admin.notice.unpublished',
  imported: 'admin.notice.imported',
  drafted: 'admin.notice.drafted',
  draftDeleted: 'admin.notice.draftDeleted',
  recorded: 'admin.notice.recorded',
  cadence: 'admin.notice.cadence',
  checkAdded: 'checks.notice.added',
  checkDeleted: 'checks.notice.deleted',
  suggestionDiscarded: 'admin.notice.suggestionDiscarded',
  ruleDeleted: 'admin.notice.ruleDeleted',
  followUpAdded: 'admin.notice.followUpAdded',
  followUpSaved: 'admin.notice.followUpSaved',
  followUpTold: 'admin.notice.followUpTold',
  pageAdded: 'admin.notice.pageAdded',
  pageRemoved: 'admin.notice.pageRemoved',
} as const satisfies Record<string, MessageKey>;

/** The confirmation shown after a redirect, from the `done` query parameter; unknown values show nothing. */
export function noticeFor(locale: Locale, done: string | null): string | null {
  return done && done in NOTICES ? t(locale, NOTICES[done as keyof typeof NOTICES]) : null;
}
