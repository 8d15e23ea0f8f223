import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { notificationEvents, outbox, subscribers } from '../../db/schema';
import { freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { postForm } from '../support/staff';
import { CONFIRM_LINK_HOURS, mailboxKey } from '../../src/lib/notifications/subscriptions';
import { purgeExpiredPending } from '../../src/lib/notifications/purge-pending';
import { newPublicId } from '../../src/lib/ids';

let site: TestSite;
beforeAll(async () => {
  // The worker is off, so queued mail stays queued and the test can watch it being purged.
  site = await startTestSite({ seed: true, env: { WORKER: 'off' } });
});
afterAll(() => site?.close());

const subscribe = (email: string) => postForm(site, '/subscribe', { email, scope: 'all', locale: 'en' });

describe('subscribe limits', () => {
  it('count name+tag@domain as name@domain, whatever the case', async () => {
    const statuses: number[] = [];
    for (const email of ['bomb+1@example.com', 'Bomb+two@Example.COM', 'bomb+3@example.com', 'BOMB@example.com', 'bomb+5@example.com'])
      statuses.push((await subscribe(email)).status);
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    // Other mailboxes at the same domain are not held up.
    expect((await subscribe('someone-else@example.com')).status).toBe(303);
  });

  it('count the dotted and googlemail.com spellings of one Gmail mailbox as one, and store each address as typed', async () => {
    const typed = ['jane.roe.q@gmail.com', 'janeroeq@googlemail.com', 'j.a.n.e.r.o.e.q+news@gmail.com', 'janeroeq@gmail.com'];
    const statuses: number[] = [];
    for (const email of typed) statuses.push((await subscribe(email)).status);
    expect(statuses).toEqual([303, 303, 303, 429]);
    const stored = site.db.select({ email: subscribers.email }).from(subscribers).where(inArray(subscribers.email, typed)).all();
    expect(stored.map((s) => s.email).sort()).toEqual(typed.slice(0, 3).sort());
    // Dots are part of the mailbox elsewhere.
    expect((await subscribe('jane.roe.q@example.com')).status).toBe(303);
  });

  it('reads the mailbox from an address', () => {
    expect(mailboxKey('J.Doe+x@googlemail.com')).toBe('jdoe@gmail.com');
    expect(mailboxKey('j.doe@example.com')).toBe('j.doe@example.com');
    expect(mailboxKey('Name+Tag@Example.com')).toBe('name@example.com');
    expect(mailboxKey('name@example.com')).toBe('name@example.com');
    expect(mailboxKey('+only@example.com')).toBe('+only@example.com');
    expect(mailboxKey('a+b+c@x.test')).toBe('a@x.test');
  });
});

describe('unconfirmed addresses', () => {
  it('are removed with their queued mail once the confirmation link has expired', async () => {
    expect((await subscribe('never-confirms@example.com')).status).toBe(303);
    expect((await subscribe('still-fresh@example.com')).status).toBe(303);
    const stale = site.db.select().from(subscribers).where(eq(subscribers.email, 'never-confirms@example.com')).get()!;
    expect(site.db.select().from(outbox).where(eq(outbox.subscriberId, stale.id)).all()).toHaveLength(1);

    // Two days pass for one of them.
    const past = Date.now() - (CONFIRM_LINK_HOURS + 1) * 3_600_000;
    site.db.update(subscribers).set({ createdAt: past, updatedAt: past }).where(eq(subscribers.id, stale.id)).run();

    // The next request from anyone sweeps it.
    expect((await subscribe('next-visitor@example.com')).status).toBe(303);
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, stale.id)).get()).toBeUndefined();
    expect(site.db.select().from(outbox).where(eq(outbox.subscriberId, stale.id)).all()).toHaveLength(0);
    expect(site.db.select().from(notificationEvents).where(eq(notificationEvents.subscriberId, stale.id)).all()).toHaveLength(0);
    expect(site.db.select().from(subscribers).where(eq(subscribers.email, 'still-fresh@example.com')).get()?.status).toBe('pending');
  });

  it('are purged a bounded number at a time, never touching confirmed ones', () => {
    const { db } = freshDatabase({ seed: false });
    const old = Date.now() - (CONFIRM_LINK_HOURS + 1) * 3_600_000;
    const ids = Array.from({ length: 5 }, (_, i) => {
      const id = newPublicId();
      db.insert(subscribers)
        .values({ id, email: `old${i}@example.com`, locale: 'en', status: i === 0 ? 'confirmed' : 'pending', createdAt: old, updatedAt: old })
        .run();
      return id;
    });
    expect(purgeExpiredPending(db, Date.now(), 2)).toBe(2);
    expect(purgeExpiredPending(db, Date.now(), 2)).toBe(2);
    expect(purgeExpiredPending(db, Date.now(), 2)).toBe(0);
    expect(
      db
        .select()
        .from(subscribers)
        .where(inArray(subscribers.id, ids))
        .all()
        .map((s) => s.status),
    ).toEqual(['confirmed']);
    db.$client.close();
  });
});
