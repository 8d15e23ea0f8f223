// Subscribers out and in as CSV: for moving to or from another status page,
// and for keeping a copy of who asked to hear from the site.
import { parse } from 'csv-parse/sync';
import { asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { components, statusPages, subscribers } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { emailField } from '../auth/users';
import { csvDocument } from '../csv';
import { ShiraseError, fieldIssue, type FieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { isLocale, type Locale } from '../i18n/messages';
import type { WriteContext } from '../write-context';
import { enqueueEvent } from './enqueue';
import { componentOnPage, loadPageScope, type PageScope } from '../pages/page-scope';

/**
 * The columns an export writes; an import reads `email`, `language`,
 * `status`, `component_ids` (or `components`) and `page` of them. `page` is a
 * status page's short name, last so the columns before it stand where they
 * always did; empty or missing, the default page.
 */
const EXPORT_HEADER = ['email', 'language', 'status', 'components', 'component_ids', 'confirmed_at_utc', 'subscribed_at_utc', 'page'];

/** Every subscriber, confirmed or not (an unsubscribed address is kept so it can be honoured elsewhere). */
export function subscribersCsv(db: Db): { csv: string; count: number } {
  const names = new Map(
    db
      .select({ id: components.id, name: components.name })
      .from(components)
      .all()
      .map((c) => [c.id, c.name]),
  );
  const slugs = new Map(
    db
      .select({ id: statusPages.id, slug: statusPages.slug })
      .from(statusPages)
      .all()
      .map((p) => [p.id, p.slug]),
  );
  const rows = db.select().from(subscribers).orderBy(asc(subscribers.email)).all();
  const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
  const csv = csvDocument(
    EXPORT_HEADER,
    rows.map((s) => {
      const ids = s.componentIds ? (JSON.parse(s.componentIds) as string[]) : [];
      const page = s.pageId === null ? '' : (slugs.get(s.pageId) ?? '');
      return [s.email, s.locale, s.status, ids.map((id) => names.get(id) ?? id).join('; '), ids.join(' '), iso(s.confirmedAt), iso(s.createdAt), page];
    }),
  );
  return { csv, count: rows.length };
}

/** Records that a copy of the list left the site: the list is personal data. */
export function recordSubscriberExport(db: Db, count: number, ctx: WriteContext): void {
  db.transaction((tx) => recordAudit(tx, ctx, { action: 'subscriber.export', entityType: 'subscriber', entityId: null, after: { addresses: count } }));
}

/**
 * What happens to the new addresses: `ask` sends each a request to confirm
 * (they hear nothing else until they do); `confirmed` counts them as
 * confirmed and emails nobody, which only an admin may choose, after a warning.
 */
export const IMPORT_MODES = ['ask', 'confirmed'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** Imports are read whole before anything is written; a list longer than this is split by the person importing it. */
export const MAX_IMPORT_ROWS = 20_000;

interface ImportRow {
  email: string;
  /** The status page the address subscribes on. */
  pageId: string;
  locale: Locale;
  componentIds: string[] | null;
}

export interface ImportPlan {
  /** Addresses not on the list yet: what the import adds. */
  added: ImportRow[];
  /** Already on the list (in any state): left exactly as they are. */
  existing: number;
  /** Marked unsubscribed in the file: left out, so a move never signs anyone up again. */
  unsubscribed: number;
  /** The same address again further down the file. */
  repeated: number;
}

const HEADER_NAMES: Record<string, 'email' | 'language' | 'status' | 'components' | 'component_ids' | 'page'> = {
  email: 'email',
  'e-mail': 'email',
  'email address': 'email',
  メールアドレス: 'email',
  language: 'language',
  locale: 'language',
  言語: 'language',
  status: 'status',
  状態: 'status',
  components: 'components',
  コンポーネント: 'components',
  component_ids: 'component_ids',
  page: 'page',
  ページ: 'page',
};

function readRecords(text: string): string[][] {
  try {
    return parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw new ShiraseError('VALIDATION', 'errors.import.unreadable', { params: { line }, fields: [fieldIssue('csv', 'errors.field.csvUnreadable', { line })] });
  }
}

/**
 * Reads a CSV of addresses and works out what importing it would do, without
 * writing. The first row is a header when it names an `email` column;
 * otherwise every row's first cell is an address. Any unreadable row stops
 * the whole import, each one named by its line, so nothing is half-imported.
 */
export function planSubscriberImport(db: Db, text: string, defaultLocale: Locale): ImportPlan {
  const records = readRecords(text);
  const first = records[0]?.map((cell) => HEADER_NAMES[cell.toLowerCase()]);
  const hasHeader = first?.includes('email') ?? false;
  const column = (name: string) => (hasHeader ? first!.indexOf(name as never) : name === 'email' ? 0 : -1);
  const at = {
    email: column('email'),
    language: column('language'),
    status: column('status'),
    components: column('components'),
    componentIds: column('component_ids'),
    page: column('page'),
  };
  const rows = records.slice(hasHeader ? 1 : 0);
  if (rows.length === 0) throw new ShiraseError('VALIDATION', 'errors.import.empty', { fields: [fieldIssue('csv', 'errors.field.csvEmpty')] });
  if (rows.length > MAX_IMPORT_ROWS)
    throw new ShiraseError('VALIDATION', 'errors.import.tooMany', {
      params: { n: rows.length, max: MAX_IMPORT_ROWS },
      fields: [fieldIssue('csv', 'errors.field.csvTooMany', { max: MAX_IMPORT_ROWS })],
    });

  const live = db.select({ id: components.id, name: components.name }).from(components).where(isNull(components.archivedAt)).all();
  const knownIds = new Set(live.map((c) => c.id));
  const byName = new Map<string, string[]>();
  for (const c of live) byName.set(c.name.toLowerCase(), [...(byName.get(c.name.toLowerCase()) ?? []), c.id]);
  // An address is on the list once per page it subscribed on.
  const listed = (pageId: string, email: string) => `${pageId} ${email}`;
  const onList = new Set(
    db
      .select({ pageId: subscribers.pageId, email: subscribers.email })
      .from(subscribers)
      .all()
      .map((s) => listed(s.pageId ?? '', s.email)),
  );
  const pages = new Map<string, PageScope>();
  const pageCalled = (slug: string): PageScope | undefined => {
    if (!pages.has(slug)) {
      const row = slug === '' ? undefined : db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.slug, slug)).get();
      if (slug !== '' && !row) return undefined;
      pages.set(slug, loadPageScope(db, row?.id));
    }
    return pages.get(slug);
  };

  const problems: FieldIssue[] = [];
  const seen = new Set<string>();
  const plan: ImportPlan = { added: [], existing: 0, unsubscribed: 0, repeated: 0 };
  rows.forEach((record, index) => {
    // Lines as a spreadsheet numbers them: the header is line 1.
    const line = index + (hasHeader ? 2 : 1);
    const cell = (i: number) => (i >= 0 ? (record[i] ?? '').trim() : '');
    const parsed = emailField.safeParse(cell(at.email));
    if (!parsed.success) {
      problems.push(fieldIssue('csv', 'errors.field.csvEmail', { line, value: cell(at.email).slice(0, 80) }));
      return;
    }
    const email = parsed.data;
    const language = cell(at.language).toLowerCase();
    if (language && !isLocale(language)) {
      problems.push(fieldIssue('csv', 'errors.field.csvLanguage', { line, value: language.slice(0, 20) }));
      return;
    }
    const page = pageCalled(cell(at.page).toLowerCase());
    if (!page) {
      problems.push(fieldIssue('csv', 'errors.field.csvPage', { line, value: cell(at.page).slice(0, 80) }));
      return;
    }
    let componentIds: string[] | null = null;
    const ids = cell(at.componentIds)
      .split(/[\s;,]+/)
      .filter(Boolean);
    const names = cell(at.components)
      .split(';')
      .map((n) => n.trim())
      .filter(Boolean);
    if (ids.length > 0) {
      const unknown = ids.find((id) => !knownIds.has(id));
      if (unknown) {
        problems.push(fieldIssue('csv', 'errors.field.csvComponent', { line, value: unknown.slice(0, 80) }));
        return;
      }
      componentIds = [...new Set(ids)];
    } else if (names.length > 0) {
      const found: string[] = [];
      for (const name of names) {
        const matches = byName.get(name.toLowerCase()) ?? [];
        if (matches.length !== 1) {
          problems.push(
            fieldIssue('csv', matches.length === 0 ? 'errors.field.csvComponent' : 'errors.field.csvComponentAmbiguous', { line, value: name.slice(0, 80) }),
          );
          return;
        }
        found.push(matches[0]!);
      }
      componentIds = [...new Set(found)];
    }
    const offPage = componentIds?.find((id) => !componentOnPage(page, id));
    if (offPage) {
      problems.push(
        fieldIssue('csv', 'errors.field.csvComponentOffPage', {
          line,
          value: (names.length > 0 ? (live.find((c) => c.id === offPage)?.name ?? offPage) : offPage).slice(0, 80),
        }),
      );
      return;
    }
    if (seen.has(listed(page.id, email))) {
      plan.repeated++;
      return;
    }
    seen.add(listed(page.id, email));
    if (cell(at.status).toLowerCase() === 'unsubscribed') plan.unsubscribed++;
    else if (onList.has(listed(page.id, email))) plan.existing++;
    else plan.added.push({ email, pageId: page.id, locale: (language || defaultLocale) as Locale, componentIds });
  });
  if (problems.length > 0) {
    // The first lines to fix are enough to act on; the count says how many more.
    throw new ShiraseError('VALIDATION', 'errors.import.rows', { params: { n: problems.length }, fields: problems.slice(0, 20) });
  }
  return plan;
}

/**
 * Adds a plan's new addresses in one transaction, with one audit entry
 * naming how many and how they were added. Addresses that reached the list
 * since the plan was made are left as they are.
 */
export function importSubscribers(db: Db, plan: ImportPlan, mode: ImportMode, ctx: WriteContext): number {
  return db.transaction((tx) => {
    let added = 0;
    for (const row of plan.added) {
      const id = newPublicId();
      const inserted = tx
        .insert(subscribers)
        .values({
          id,
          email: row.email,
          pageId: row.pageId,
          locale: row.locale,
          componentIds: row.componentIds ? JSON.stringify(row.componentIds) : null,
          status: mode === 'confirmed' ? 'confirmed' : 'pending',
          confirmedAt: mode === 'confirmed' ? ctx.now : null,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .onConflictDoNothing()
        .returning({ id: subscribers.id })
        .get();
      if (!inserted) continue;
      added++;
      // `ref` tells the mail it was the site that added the address, not the reader.
      if (mode === 'ask') enqueueEvent(tx, { kind: 'confirm', subscriberId: id, ref: 'import' }, ctx.now);
    }
    recordAudit(tx, ctx, {
      action: 'subscriber.import',
      entityType: 'subscriber',
      entityId: null,
      after: {
        addedAs: mode === 'confirmed' ? 'confirmed' : 'pending',
        added,
        alreadyListed: plan.existing,
        leftOutUnsubscribed: plan.unsubscribed,
        repeatedRows: plan.repeated,
      },
    });
    return added;
  });
}
