import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribers } from '../../db/schema';
import { newPublicId } from '../../src/lib/ids';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { decodeQuotedPrintable, startSmtpSink } from '../support/smtp-sink';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
const exportDir = mkdtempSync(join(tmpdir(), 'shirase-export-dir-'));
beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({
    seed: true,
    env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000', REMINDER_MINUTES: '60', EXPORT_DIR: exportDir },
    maintenancePollMs: 50,
  });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

describe('maintenance reminders', () => {
  it('go out once, the given minutes before a window starts, and not for a window further off', async () => {
    const email = `reminded-${Date.now()}@example.com`;
    site.db
      .insert(subscribers)
      .values({ id: newPublicId(), email, locale: 'en', componentIds: null, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() })
      .run();
    const now = Date.now();
    const ctx = { now };
    scheduleMaintenance(
      site.db,
      { name: 'Database upgrade soon', body: 'Writes pause briefly.', scheduledFor: now + 30 * 60_000, scheduledUntil: now + 90 * 60_000 },
      ctx,
    );
    scheduleMaintenance(
      site.db,
      { name: 'Network work next week', body: 'Nothing to notice.', scheduledFor: now + 7 * 86_400_000, scheduledUntil: now + 7 * 86_400_000 + 3_600_000 },
      ctx,
    );
    const reminder = await until(() => sink.for(email).find((m) => m.subject.includes('Database upgrade soon')));
    // The maintenance's one subject (its mails thread together); the reminder says what it is in its first lines.
    expect(reminder.subject).toContain('Maintenance: Database upgrade soon');
    expect(decodeQuotedPrintable(reminder.raw)).toContain('This planned maintenance starts soon.');
    // Many more turns of the timer: still one reminder, and none for next week's window.
    await new Promise((r) => setTimeout(r, 600));
    expect(sink.for(email).filter((m) => m.subject.includes('Database upgrade soon'))).toHaveLength(1);
    expect(sink.for(email).some((m) => m.subject.includes('Network work next week'))).toBe(false);
  });
});

describe('EXPORT_DIR', () => {
  it('follows every change with a static copy', async () => {
    const { incidentId } = openIncident(site.db, { name: 'Copied to the static site', status: 'investigating', body: 'Looking into it.' }, { now: Date.now() });
    await site.server.checkForChanges();
    const page = join(exportDir, 'incidents', incidentId, 'index.html');
    // The copy is written file by file: wait for the last of the ones looked at here.
    await until(
      () =>
        existsSync(page) &&
        existsSync(join(exportDir, '404.html')) &&
        readFileSync(join(exportDir, 'index.html'), 'utf8').includes('Copied to the static site'),
      10_000,
    );
    expect(readFileSync(page, 'utf8')).toContain('Copied to the static site');
    expect(existsSync(join(exportDir, '404.html'))).toBe(true);
  });
});
