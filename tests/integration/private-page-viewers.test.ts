// Viewers of a private page (the verbs; the page itself is served to them in
// a later step): who may see it, the sign-in link a real SMTP server on
// loopback receives, the session it starts, once, for that page only.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusPages, viewerLinks } from '../../db/schema';
import { ShiraseError } from '../../src/lib/errors';
import { addPage } from '../../src/lib/pages/add-page';
import { defaultPageId } from '../../src/lib/pages/default-page';
import { requestViewerLink, setViewerRules, signInViewer, viewerFor, viewerPattern } from '../../src/lib/viewers/viewer-access';
import { decodeQuotedPrintable, startSmtpSink } from '../support/smtp-sink';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';

const PARTNERS = 'status.partners.example.com';
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
let pageId: string;
let ios: string;

beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' } });
  ios = site.db.$client.prepare("SELECT id FROM components WHERE name = 'iOS app'").pluck().get() as string;
  pageId = addPage(site.db, { slug: 'partners', name: 'Partner status', hosts: [PARTNERS], componentIds: [ios] }, { now: Date.now() }).pageId;
  // No way in makes a page private until viewers can be served it; the verbs under test need only the row.
  site.db.update(statusPages).set({ private: true }).where(eq(statusPages.id, pageId)).run();
  setViewerRules(
    site.db,
    pageId,
    [
      { pattern: '@acme.example', componentIds: null },
      { pattern: 'Ops@Other.example', componentIds: [ios] },
    ],
    Date.now(),
  );
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

const tokenIn = (raw: string) => /\/viewer\/sign-in\?token=([\w.-]+)/.exec(decodeQuotedPrintable(raw))![1]!;
const caught = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as ShiraseError;
  }
  throw new Error('expected a refusal');
};

describe('who may see a private page', () => {
  it('is an address or a whole domain, each line checked, written lowercase', () => {
    expect(viewerPattern('Ops@Other.example')).toBe('ops@other.example');
    expect(viewerPattern('acme.example')).toBe('@acme.example');
    expect(viewerPattern('@ACME.example')).toBe('@acme.example');
    for (const bad of ['@', 'not a domain', 'a@b', '@-bad.example', 'x'.repeat(300)]) expect(viewerPattern(bad), bad).toBeUndefined();
    const refused = caught(() =>
      setViewerRules(
        site.db,
        pageId,
        [
          { pattern: 'fine.example', componentIds: null },
          { pattern: 'nope', componentIds: null },
        ],
        Date.now(),
      ),
    );
    expect(refused.fields.map((f) => [f.key, f.params?.line])).toEqual([['errors.field.viewerPattern', 2]]);
  });
});

describe('signing in by an emailed link', () => {
  it('mails a link at the page’s address to an address it lets in, and signs in once, as the group its rule makes', async () => {
    requestViewerLink(site.db, pageId, { email: 'Dana@acme.example' }, '127.0.0.5', Date.now());
    const mail = await until(() => sink.for('Dana@acme.example').find((m) => m.subject.includes('sign in')));
    expect(mail.subject).toBe('[Partner status] Your link to sign in to Partner status');
    const text = decodeQuotedPrintable(mail.raw);
    expect(text).toContain(`http://${PARTNERS}/viewer/sign-in?token=`);
    expect(text).toContain('within 20 minutes');
    expect(mail.header('List-Unsubscribe')).toBeUndefined();

    const token = tokenIn(mail.raw);
    // Another page's sign-in does not take it.
    expect(caught(() => signInViewer(site.db, defaultPageId(site.db), token, Date.now())).key).toBe('errors.viewer.linkUsed');
    const session = signInViewer(site.db, pageId, token, Date.now());
    const viewer = viewerFor(site.db, pageId, session.token, Date.now());
    expect(viewer?.email).toBe('dana@acme.example');
    const rule = site.db.$client.prepare("SELECT id FROM page_viewer_rules WHERE pattern = '@acme.example'").pluck().get();
    expect(viewer?.group).toBe(rule);
    // The session is this page's only, and the link is spent.
    expect(viewerFor(site.db, defaultPageId(site.db), session.token, Date.now())).toBeUndefined();
    expect(viewerFor(site.db, pageId, 'made-up', Date.now())).toBeUndefined();
    expect(caught(() => signInViewer(site.db, pageId, token, Date.now())).key).toBe('errors.viewer.linkUsed');
  });

  it('sends a stranger nothing, and says the same as to anyone', async () => {
    expect(() => requestViewerLink(site.db, pageId, { email: 'eve@elsewhere.example' }, '127.0.0.6', Date.now())).not.toThrow();
    expect(site.db.select().from(viewerLinks).where(eq(viewerLinks.email, 'eve@elsewhere.example')).all()).toEqual([]);
    expect(caught(() => requestViewerLink(site.db, pageId, { email: 'not an address' }, '127.0.0.6', Date.now())).key).toBe('errors.viewer.email');
  });

  it('refuses a link past its twenty minutes', async () => {
    const asked = Date.now();
    requestViewerLink(site.db, pageId, { email: 'late@acme.example' }, '127.0.0.7', asked);
    const mail = await until(() => sink.for('late@acme.example').find((m) => m.subject.includes('sign in')));
    expect(caught(() => signInViewer(site.db, pageId, tokenIn(mail.raw), asked + 21 * 60_000)).key).toBe('errors.link.confirmExpired');
  });

  it('signs a group’s viewers out when its rule goes', async () => {
    requestViewerLink(site.db, pageId, { email: 'ops@other.example' }, '127.0.0.8', Date.now());
    const mail = await until(() => sink.for('ops@other.example').find((m) => m.subject.includes('sign in')));
    const session = signInViewer(site.db, pageId, tokenIn(mail.raw), Date.now());
    expect(viewerFor(site.db, pageId, session.token, Date.now())?.email).toBe('ops@other.example');
    setViewerRules(site.db, pageId, [{ pattern: '@acme.example', componentIds: null }], Date.now());
    expect(viewerFor(site.db, pageId, session.token, Date.now())).toBeUndefined();
  });
});
