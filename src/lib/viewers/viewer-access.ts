// Viewers of a private status page: who may see it (an address, or everyone
// at a domain), the sign-in link mailed to them, and the session it starts.
// Apart from staff accounts and sessions: a viewer signs in to one page and
// can do nothing else.
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { pageViewerRules, viewerLinks, viewerSessions } from '../../../db/schema';
import { addressKey } from '../auth/address-key';
import { hashToken } from '../auth/sessions';
import { emailField } from '../auth/users';
import { fieldIssue, ShiraseError } from '../errors';
import { newPublicId } from '../ids';
import { enqueueEvent } from '../notifications/enqueue';
import { siteSecret, signToken, verifyToken } from '../notifications/signed-tokens';
import { throttle } from '../notifications/throttle';
import { mailboxKey } from '../notifications/subscriptions';
import { componentOnPage, loadPageScope, type PageScope } from '../pages/page-scope';
import type { Tx } from '../incidents/log';

export const VIEWER_COOKIE = 'shirase_viewer';
/** A mailed link works this long, once. */
export const VIEWER_LINK_MINUTES = 20;
/** A viewer stays signed in this long, then asks for a new link. */
export const VIEWER_SESSION_MS = 14 * 24 * 3_600_000;

/** The rule that lets an address in: its own line first, then its domain's. */
function viewerRuleFor(db: Db, pageId: string, email: string): { id: string; componentIds: string[] | null } | undefined {
  const address = email.trim().toLowerCase();
  const domain = address.slice(address.lastIndexOf('@'));
  for (const pattern of [address, domain]) {
    const rule = db
      .select({ id: pageViewerRules.id, componentIds: pageViewerRules.componentIds })
      .from(pageViewerRules)
      .where(and(eq(pageViewerRules.pageId, pageId), eq(pageViewerRules.pattern, pattern)))
      .get();
    if (rule) return { id: rule.id, componentIds: rule.componentIds ? (JSON.parse(rule.componentIds) as string[]) : null };
  }
  return undefined;
}

/**
 * A viewer asks for a link: an address the page lets in gets one by mail;
 * any other gets nothing, and the answer is the same either way, so the
 * form never tells a stranger who may see the page. Throttled per address
 * and per client, as subscribing is.
 */
export function requestViewerLink(db: Db, pageId: string, input: { email: string }, client: string, now: number): void {
  const parsed = emailField.safeParse(input.email);
  if (!parsed.success) throw new ShiraseError('VALIDATION', 'errors.viewer.email', { fields: [fieldIssue('email', 'errors.field.emailFormat')] });
  const email = parsed.data;
  throttle(db, [`viewer-email:${pageId}:${mailboxKey(email)}`], 5, 3_600_000, now);
  throttle(db, [`viewer-client:${addressKey(client)}`], 20, 3_600_000, now);
  const rule = viewerRuleFor(db, pageId, email);
  if (!rule) return;
  db.transaction((tx) => {
    const id = newPublicId();
    tx.insert(viewerLinks)
      .values({ id, pageId, ruleId: rule.id, email, createdAt: now, expiresAt: now + VIEWER_LINK_MINUTES * 60_000 })
      .run();
    enqueueEvent(tx, { kind: 'viewer_link', ref: id }, now);
  });
}

/** The token a sign-in link carries: the link's id, signed, expiring with it. */
export function viewerLinkToken(db: Db, link: { id: string; expiresAt: number }): string {
  return signToken(siteSecret(db), link.id, 'viewer_link', 0, link.expiresAt);
}

/**
 * A viewer follows their link on the page it was sent for: it is used up,
 * and a session starts if the address is still let in. A link used,
 * expired, for another page or whose rule is gone is refused.
 */
export function signInViewer(db: Db, pageId: string, token: string | null, now: number): { token: string; expiresAt: number } {
  const { subscriberId: linkId } = verifyToken(siteSecret(db), token, 'viewer_link', now);
  return db.transaction((tx) => {
    const link = tx
      .select()
      .from(viewerLinks)
      .where(and(eq(viewerLinks.id, linkId), eq(viewerLinks.pageId, pageId), isNull(viewerLinks.usedAt), gt(viewerLinks.expiresAt, now)))
      .get();
    if (!link) throw new ShiraseError('FORBIDDEN', 'errors.viewer.linkUsed', { hint: 'errors.viewer.linkUsed.hint' });
    tx.update(viewerLinks).set({ usedAt: now }).where(eq(viewerLinks.id, link.id)).run();
    // Expired sessions leave a few at a time, so nobody's sign-in pays for many.
    const stale = tx.select({ tokenHash: viewerSessions.tokenHash }).from(viewerSessions).where(lt(viewerSessions.expiresAt, now)).limit(100).all();
    for (const s of stale) tx.delete(viewerSessions).where(eq(viewerSessions.tokenHash, s.tokenHash)).run();
    const session = randomBytes(32).toString('base64url');
    const expiresAt = now + VIEWER_SESSION_MS;
    tx.insert(viewerSessions)
      .values({ tokenHash: hashToken(session), pageId, ruleId: link.ruleId, email: link.email, createdAt: now, expiresAt })
      .run();
    return { token: session, expiresAt };
  });
}

/** The viewer a session cookie speaks for on a page, with the group (rule) they see the page as; undefined for anyone else. */
export function viewerFor(db: Db, pageId: string, token: string | undefined, now: number): { email: string; group: string } | undefined {
  if (!token || token.length > 100) return undefined;
  const row = db
    .select({ email: viewerSessions.email, ruleId: viewerSessions.ruleId })
    .from(viewerSessions)
    .where(and(eq(viewerSessions.tokenHash, hashToken(token)), eq(viewerSessions.pageId, pageId), gt(viewerSessions.expiresAt, now)))
    .get();
  return row ? { email: row.email, group: row.ruleId } : undefined;
}

/** Signing out ends the session at once, whatever page it was for. */
export function signOutViewer(db: Db, token: string | undefined): void {
  if (token)
    db.delete(viewerSessions)
      .where(eq(viewerSessions.tokenHash, hashToken(token)))
      .run();
}

/** An address (`someone@example.com`) or a whole domain (`@example.com`, or `example.com`), as rules keep it: lowercase. */
export function viewerPattern(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  const domain = text.startsWith('@') ? text.slice(1) : text.includes('@') ? undefined : text;
  if (domain !== undefined) return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain) ? `@${domain}` : undefined;
  return emailField.safeParse(text).success ? text : undefined;
}

/**
 * Replaces who may see a page: each pattern a group of viewers with the
 * components it sees (null: all of the page's). A rule that stays keeps its
 * id, so its viewers stay signed in; a rule removed signs its viewers out
 * and voids its unused links (the cascade).
 */
export function setViewerRules(db: Db | Tx, pageId: string, rules: { pattern: string; componentIds: string[] | null }[], now: number): void {
  const wanted = new Map<string, string | null>();
  const onPage = loadPageScope(db, pageId);
  const problems = rules.flatMap((rule, i) => {
    const pattern = viewerPattern(rule.pattern);
    if (!pattern) return [fieldIssue('viewers', 'errors.field.viewerPattern', { line: i + 1, value: rule.pattern.slice(0, 80) })];
    const offPage = rule.componentIds?.find((id) => !componentOnPage(onPage, id));
    if (offPage !== undefined) return [fieldIssue('viewers', 'errors.field.viewerComponent', { line: i + 1, value: offPage.slice(0, 80) })];
    wanted.set(pattern, rule.componentIds ? JSON.stringify([...new Set(rule.componentIds)]) : null);
    return [];
  });
  if (problems.length > 0) throw new ShiraseError('VALIDATION', 'errors.viewer.patterns', { params: { n: problems.length }, fields: problems });
  db.transaction((tx) => {
    const held = tx.select().from(pageViewerRules).where(eq(pageViewerRules.pageId, pageId)).all();
    for (const rule of held) {
      if (!wanted.has(rule.pattern)) tx.delete(pageViewerRules).where(eq(pageViewerRules.id, rule.id)).run();
      else if (wanted.get(rule.pattern) !== rule.componentIds)
        tx.update(pageViewerRules)
          .set({ componentIds: wanted.get(rule.pattern) })
          .where(eq(pageViewerRules.id, rule.id))
          .run();
    }
    const kept = new Set(held.map((r) => r.pattern));
    for (const [pattern, componentIds] of wanted)
      if (!kept.has(pattern)) tx.insert(pageViewerRules).values({ id: newPublicId(), pageId, pattern, componentIds, createdAt: now }).run();
  });
}

/**
 * The page a request is rendered as, from the serving thread's name for it:
 * `pageId`, or `pageId/group` for a private page rendered for one group of
 * viewers (its rule; empty: strangers, who get only the sign-in page),
 * narrowed to the components the group sees.
 */
export function viewedPage(db: Db, ref: string | undefined): { page: PageScope; viewerGroup?: string } {
  const slash = ref?.indexOf('/') ?? -1;
  const page = loadPageScope(db, slash < 0 ? ref || undefined : ref!.slice(0, slash));
  if (slash < 0) return { page };
  const viewerGroup = ref!.slice(slash + 1);
  const rule = viewerGroup
    ? db
        .select({ componentIds: pageViewerRules.componentIds })
        .from(pageViewerRules)
        .where(and(eq(pageViewerRules.id, viewerGroup), eq(pageViewerRules.pageId, page.id)))
        .get()
    : undefined;
  // A group whose rule is gone, and strangers, see no component at all.
  const seen = rule ? (rule.componentIds ? (JSON.parse(rule.componentIds) as string[]) : null) : [];
  const componentIds = seen === null ? page.componentIds : new Set(seen.filter((id) => componentOnPage(page, id)));
  return { page: { ...page, componentIds }, viewerGroup };
}
