import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { incidentUpdates, incidents, updateTemplates } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { saveDraft } from '../../src/lib/drafts/save-draft';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { loadIncident } from '../../src/lib/incidents/load-incidents';
import { MAX_BODY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_NOTE_CHARS } from '../../src/lib/validation';
import { MAX_POSTMORTEM_CHARS } from '../../src/lib/postmortems/save-postmortem';
import { MAX_SUMMARY_CHARS } from '../../src/lib/postmortems/front-matter';

let site: TestSite;
let staff: Awaited<ReturnType<typeof signedInStaff>>;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
  staff = await signedInStaff(site);
});
afterAll(() => site?.close());

const rows = () => ({
  incidents: site.db.select({ n: count() }).from(incidents).get()!.n,
  updates: site.db.select({ n: count() }).from(incidentUpdates).get()!.n,
  templates: site.db.select({ n: count() }).from(updateTemplates).get()!.n,
});
const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;
/** A `datetime-local` value in the site's zone (Asia/Tokyo), `minutesAgo` before now. */
const localInput = (minutesAgo: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
    .format(new Date(Date.now() - minutesAgo * 60_000))
    .replace(' ', 'T');
const tokyoTime = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
const summaryOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
const noticeOf = (html: string) => /<p class="notice"[^>]*>[\s\S]*?<\/p>/.exec(html)?.[0];
const textareaValue = (html: string, id: string) => {
  const m = new RegExp(`<textarea id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m
    ? m[1]!
        .replace(/&#34;|&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
    : undefined;
};

/** An incident opened 30 minutes ago, identified 10 minutes ago, with the API affected. */
async function identifiedIncident(name: string): Promise<string> {
  const opened = await staff.post('/admin/incidents/new', {
    name,
    status: 'investigating',
    body: 'Looking into it.',
    displayAt: localInput(30),
    [`component:${component('API').id}`]: 'partial_outage',
    impact: 'auto',
  });
  expect(opened.status).toBe(303);
  const id = /\/admin\/incidents\/([a-z0-9]{12})/.exec(opened.headers.get('location')!)![1]!;
  const posted = await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'identified', body: 'Cause found.', displayAt: localInput(10) });
  expect(posted.status).toBe(303);
  return id;
}

describe('a back-dated update', () => {
  it('says before saving where it lands and that the status stays, and the save agrees', async () => {
    const id = await identifiedIncident(`Back-dated ${Date.now()}`);
    const identifiedAt = loadIncident(site.db, id)!.updates.at(-1)!.displayAt;
    const before = rows();
    const check = await staff.post(`/admin/incidents/${id}`, {
      intent: 'post_update',
      preview: 'check',
      status: 'monitoring',
      body: 'Noted late.',
      displayAt: localInput(20),
    });
    expect(check.status).toBe(200);
    const html = await check.text();
    expect(html).toContain(`This update will be placed before the update of`);
    expect(html).toContain(`${tokyoTime(identifiedAt)} GMT+9; the incident&#39;s status will stay Identified.`);
    expect(textareaValue(html, 'field-body')).toBe('Noted late.');
    expect(rows()).toEqual(before);

    // The live hint asks the server, which answers with the same sentence, in the page's language.
    const live = await fetch(`${site.url}/ja/admin/update-placement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: staff.cookie, origin: site.url },
      body: JSON.stringify({ incidentId: id, status: 'monitoring', displayAt: localInput(20) }),
    });
    expect((await live.json()).hint).toBe(
      `この更新は ${new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(identifiedAt)} GMT+9 の更新より前に置かれます。インシデントの状態は「原因特定」のままです。`,
    );
    const latest = await fetch(`${site.url}/admin/update-placement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: staff.cookie, origin: site.url },
      body: JSON.stringify({ incidentId: id, status: 'monitoring', displayAt: '' }),
    });
    expect((await latest.json()).hint).toBeNull();

    const saved = await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: 'Noted late.', displayAt: localInput(20) });
    expect(saved.status).toBe(303);
    expect(loadIncident(site.db, id)!.status).toBe('identified');
  });

  it('says nothing when the update would be the latest', async () => {
    const id = await identifiedIncident(`Latest ${Date.now()}`);
    const html = await (
      await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', preview: 'check', status: 'monitoring', body: 'Now.', displayAt: localInput(1) })
    ).text();
    expect(html).not.toContain('will be placed before');
  });
});

describe('notices after a staff form', () => {
  it('shows "Update posted" after a post, never after a refused post or a preview sent from the same address', async () => {
    const id = await identifiedIncident(`Notices ${Date.now()}`);
    expect(noticeOf(await (await staff.get(`/admin/incidents/${id}?done=posted`)).text())).toContain('Update posted.');
    const before = rows();
    const refused = await staff.post(`/admin/incidents/${id}?done=posted`, { intent: 'post_update', status: 'monitoring', body: '   ' });
    expect(refused.status).toBe(422);
    const refusedHtml = await refused.text();
    expect(noticeOf(refusedHtml)).toBeUndefined();
    expect(refusedHtml).not.toContain('Update posted.');
    const previewed = await staff.post(`/admin/incidents/${id}?done=posted`, {
      intent: 'post_update',
      preview: 'email',
      status: 'monitoring',
      body: 'A fix is rolling out.',
    });
    expect(previewed.status).toBe(200);
    expect(noticeOf(await previewed.text())).toBeUndefined();
    const templateRefused = await staff.post('/admin/templates?done=saved', { intent: 'save', name: '', status: 'identified', body: '' });
    expect(templateRefused.status).toBe(422);
    expect(noticeOf(await templateRefused.text())).toBeUndefined();
    expect(rows()).toEqual(before);
  });

  it('lists what to fix by the form labels, never by field keys', async () => {
    const id = await identifiedIncident(`Summary ${Date.now()}`);
    const before = rows();
    const res = await staff.post(`/admin/incidents/${id}`, {
      intent: 'post_update',
      status: 'monitoring',
      body: '',
      'body:ja': 'あ'.repeat(MAX_BODY_CHARS + 1),
    });
    expect(res.status).toBe(422);
    const summary = summaryOf(await res.text());
    expect(summary).toContain('<li>Message: Write what is happening.');
    expect(summary).toContain('<li>Message (日本語): Keep the text under 20,000 characters');
    expect(summary).not.toMatch(/\bbody\b|translations\.|errors\.field|displayAt/);
    expect(rows()).toEqual(before);

    const ja = summaryOf(await (await staff.post(`/ja/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: '' })).text());
    expect(ja).toContain('<li>メッセージ: ');
    expect(ja).not.toMatch(/\bbody\b|errors\./);
  });
});

describe("a form read through the verb's schema", () => {
  it('says an unreadable time and every other problem in one round trip, keeping what was typed', async () => {
    const id = await identifiedIncident(`Together ${Date.now()}`);
    const before = rows();
    const res = await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: '', displayAt: 'yesterday-ish' });
    expect(res.status).toBe(422);
    const html = await res.text();
    const summary = summaryOf(html);
    expect(summary).toContain('<li>Shown at: Give a date and time such as 2018-06-18 06:00.');
    expect(summary).toContain('<li>Message: Write what is happening.');
    expect(html).toContain('value="yesterday-ish"');
    expect(rows()).toEqual(before);
  });

  it('refuses a component status no select offers, naming it, instead of quietly leaving the component as it was', async () => {
    const id = await identifiedIncident(`Unknown status ${Date.now()}`);
    const before = rows();
    const res = await staff.post(`/admin/incidents/${id}`, {
      intent: 'post_update',
      status: 'monitoring',
      body: 'Watching.',
      [`component:${component('API').id}`]: 'on_fire',
    });
    expect(res.status).toBe(422);
    expect(summaryOf(await res.text())).toContain('<li>Components: Pick one of the component statuses.');
    expect(rows()).toEqual(before);
  });
});

describe('limits', () => {
  it('refuses a 20,001-character update in the form and in the API with the same limit, and the form says it up front', async () => {
    const id = await identifiedIncident(`Limits ${Date.now()}`);
    const page = await (await staff.get(`/admin/incidents/${id}`)).text();
    expect(page).toContain(`maxlength="${MAX_BODY_CHARS}"`);
    expect(page).toMatch(/id="field-body-count"[^>]*>\s*0 \/ 20,000 characters/);
    const long = 'x'.repeat(MAX_BODY_CHARS + 1);
    const before = rows();

    const form = await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: long });
    expect(form.status).toBe(422);
    const formHtml = await form.text();
    expect(summaryOf(formHtml)).toContain('Keep the text under 20,000 characters');
    // What was typed comes back, with its count.
    expect(formHtml).toMatch(/id="field-body-count"[^>]*>\s*20,001 \/ 20,000 characters/);

    const { token } = createApiToken(site.db, { name: `limits ${Date.now()}`, scopes: ['incidents'] }, { now: Date.now() });
    const api = await fetch(`${site.url}/api/v1/incidents/${id}/updates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ status: 'monitoring', body: long }),
    });
    expect(api.status).toBe(422);
    const error = (await api.json()).error;
    expect(error.fields).toEqual([{ field: 'body', message: 'Keep the text under 20,000 characters; link to a postmortem for more.' }]);
    expect(rows()).toEqual(before);

    const exactly = await staff.post(`/admin/incidents/${id}`, { intent: 'post_update', status: 'monitoring', body: 'x'.repeat(MAX_BODY_CHARS) });
    expect(exactly.status).toBe(303);
  });

  it('gives every staff text field the limit its server check has', async () => {
    const maxlength = (html: string, id: string) => new RegExp(`id="${id}"[^>]*maxlength="(\\d+)"`).exec(html)?.[1];
    const postmortem = await (await staff.get('/admin/postmortems/edit')).text();
    expect(maxlength(postmortem, 'field-body')).toBe(String(MAX_POSTMORTEM_CHARS));
    expect(maxlength(postmortem, 'pm-summary')).toBe(String(MAX_SUMMARY_CHARS));
    expect(postmortem).toMatch(/id="field-body-count"[^>]*>\s*\d+ \/ 200,000 characters/);
    const components = await (await staff.get('/admin/components')).text();
    expect(maxlength(components, 'new-name')).toBe(String(MAX_NAME_CHARS));
    expect(maxlength(components, 'new-desc')).toBe(String(MAX_DESCRIPTION_CHARS));
    expect(components).toMatch(new RegExp(`id="note-[a-z0-9]{12}"[^>]*maxlength="${MAX_NOTE_CHARS}"`));
    const templates = await (await staff.get('/admin/templates')).text();
    expect(maxlength(templates, 'body-ja')).toBe(String(MAX_BODY_CHARS));
    expect(maxlength(templates, 'tpl-name')).toBe(String(MAX_NAME_CHARS));
  });
});

describe('templates', () => {
  async function savedTemplate(name: string, body: string, ja: string): Promise<string> {
    const saved = await staff.post('/admin/templates', { intent: 'save', name, status: 'monitoring', body, 'body:ja': ja });
    expect(saved.status).toBe(303);
    return site.db.select().from(updateTemplates).where(eq(updateTemplates.name, name)).get()!.id;
  }

  it('keeps both languages and documents its variables', async () => {
    const name = `Bilingual ${Date.now()}`;
    const id = await savedTemplate(name, 'Fixed for {{components}}.', '{{components}} を修正しました。');
    expect(site.db.select().from(updateTemplates).where(eq(updateTemplates.id, id)).get()!.translations).toBe(
      JSON.stringify({ ja: { body: '{{components}} を修正しました。' } }),
    );
    const page = await (await staff.get('/admin/templates')).text();
    for (const variable of ['{{components}}', '{{started_at}}', '{{ended_at}}', '{{now}}']) expect(page).toContain(`<code>${variable}</code>`);
  });

  it('refuses a template over the limit and leaves the table as it was', async () => {
    const before = rows();
    const res = await staff.post('/admin/templates', {
      intent: 'save',
      name: `Too long ${Date.now()}`,
      status: 'monitoring',
      body: 'ok',
      'body:ja': 'あ'.repeat(MAX_BODY_CHARS + 1),
    });
    expect(res.status).toBe(422);
    expect(summaryOf(await res.text())).toContain('Message (日本語): Keep the text under 20,000 characters');
    expect(rows()).toEqual(before);
  });

  it('fills the variables from the incident in each language, leaving unknown ones visible', async () => {
    const incidentId = await identifiedIncident(`Variables ${Date.now()}`);
    const incident = loadIncident(site.db, incidentId)!;
    const templateId = await savedTemplate(
      `Vars ${Date.now()}`,
      'Fixed for {{components}} since {{ started_at }}; {{nope}}.',
      '{{components}} は {{started_at}} から。',
    );
    const before = rows();
    const res = await staff.post(`/admin/incidents/${incidentId}`, {
      intent: 'post_update',
      apply: 'template',
      template: templateId,
      status: 'identified',
      body: '',
      'body:ja': '',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const started = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(
      incident.startedAt,
    );
    expect(textareaValue(html, 'field-body')).toBe(`Fixed for API since ${started} GMT+9; {{nope}}.`);
    const startedJa = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(
      incident.startedAt,
    );
    expect(textareaValue(html, 'body-ja')).toBe(`API は ${startedJa} GMT+9 から。`);
    // The template's status is chosen with its text.
    expect(html).toMatch(/<option value="monitoring" selected/);
    expect(rows()).toEqual(before);
  });

  it('fills the variables when a text is published, whatever sends it, in each language', async () => {
    const web = component('Web app');
    const medium = (ms: number, locale: string) =>
      new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(ms) + ' GMT+9';
    const bodies = (id: string) => ({ en: loadIncident(site.db, id)!.updates, ja: loadIncident(site.db, id, 'ja')!.updates });

    // A form sent without script: the text holds variables the form could not fill (the components are picked below it).
    const opened = await staff.post('/admin/incidents/new', {
      name: `Filled on publish ${Date.now()}`,
      status: 'investigating',
      body: 'Errors on {{components}} since {{started_at}}.',
      'body:ja': '{{components}} で {{started_at}} からエラー。',
      displayAt: localInput(15),
      [`component:${web.id}`]: 'partial_outage',
      impact: 'auto',
    });
    expect(opened.status).toBe(303);
    const id = /\/admin\/incidents\/([a-z0-9]{12})/.exec(opened.headers.get('location')!)![1]!;
    const startedAt = loadIncident(site.db, id)!.startedAt;
    expect(bodies(id).en[0]!.body).toBe(`Errors on Web app since ${medium(startedAt, 'en-GB')}.`);
    expect(bodies(id).ja[0]!.body).toBe(`Web アプリ で ${medium(startedAt, 'ja-JP')} からエラー。`);

    // The write API, and a correction through it.
    const { token } = createApiToken(site.db, { name: `variables ${Date.now()}`, scopes: ['incidents'] }, { now: Date.now() });
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${site.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api('POST', `/incidents/${id}/updates`, { status: 'identified', body: 'Still {{components}}.', notify: false })).status).toBe(201);
    expect(bodies(id).en.at(-1)!.body).toBe('Still Web app.');
    const posted = bodies(id).en.at(-1)!;
    const corrected = await api('PATCH', `/incidents/${id}/updates/${posted.id}`, { body: 'Found at {{now}}.', version: posted.version });
    expect(corrected.status).toBe(200);
    expect(bodies(id).en.at(-1)!.body).toBe(`Found at ${medium(posted.displayAt, 'en-GB')}.`);

    // A suggested update saved as a draft and published later: the variables are filled when it is published.
    const { draftId, version } = saveDraft(
      site.db,
      {
        incidentId: id,
        draft: { status: 'monitoring', body: 'A fix for {{components}} is live.', translations: { ja: { body: '{{components}} の修正を反映しました。' } } },
      },
      { now: Date.now() },
    );
    expect((await api('POST', `/incidents/${draftId}/publish`, { notify: false, version })).status).toBe(201);
    expect(bodies(id).en.at(-1)!.body).toBe('A fix for Web app is live.');
    expect(bodies(id).ja.at(-1)!.body).toBe('Web アプリ の修正を反映しました。');

    // No brace reaches a reader.
    for (const path of ['/', '/ja/', `/incidents/${id}`, '/ja/feed.atom', '/api/v2/incidents.json']) {
      const res = await fetch(site.url + path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain('{{');
    }
  });

  it('previews an update as it will be published, in the language of the field', async () => {
    const web = component('Web app');
    const preview = async (lang: string | undefined, markdown: string) => {
      const res = await fetch(`${site.url}/admin/preview`, {
        method: 'POST',
        headers: { cookie: staff.cookie, origin: site.url, 'content-type': 'application/json' },
        body: JSON.stringify({ markdown, lang, fields: { status: 'investigating', [`component:${web.id}`]: 'partial_outage', displayAt: localInput(5) } }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { html: string }).html;
    };
    expect(await preview(undefined, 'Errors on **{{components}}**; {{nope}}.')).toBe('<p>Errors on <strong>Web app</strong>; {{nope}}.</p>\n');
    expect(await preview('ja', '{{components}} でエラー。')).toBe('<p>Web アプリ でエラー。</p>\n');
  });

  it('asks before replacing typed text, keeps it until told, and replaces it on a yes', async () => {
    const incidentId = await identifiedIncident(`Ask first ${Date.now()}`);
    const templateId = await savedTemplate(`Ask ${Date.now()}`, 'Template text.', 'テンプレートの文。');
    const before = rows();
    const typed = { intent: 'post_update', template: templateId, status: 'identified', body: 'What I typed.', 'body:ja': '' };
    const asked = await (await staff.post(`/admin/incidents/${incidentId}`, { ...typed, apply: 'template' })).text();
    expect(asked).toContain('Replace what you typed?');
    expect(textareaValue(asked, 'field-body')).toBe('What I typed.');
    expect(asked).toContain('Template text.');

    const none = await staff.post(`/admin/incidents/${incidentId}`, { ...typed, template: '', apply: 'template' });
    expect(none.status).toBe(200);
    const noneHtml = await none.text();
    expect(summaryOf(noneHtml)).toBe('');
    expect(textareaValue(noneHtml, 'field-body')).toBe('What I typed.');

    const kept = await (await staff.post(`/admin/incidents/${incidentId}`, { ...typed, apply: 'keep' })).text();
    expect(kept).not.toContain('Replace what you typed?');
    expect(textareaValue(kept, 'field-body')).toBe('What I typed.');

    // Typed only in Japanese counts as typed too.
    const jaOnly = await (await staff.post(`/admin/incidents/${incidentId}`, { ...typed, body: '', 'body:ja': '書きかけ', apply: 'template' })).text();
    expect(jaOnly).toContain('Replace what you typed?');
    expect(textareaValue(jaOnly, 'body-ja')).toBe('書きかけ');

    const replaced = await (await staff.post(`/admin/incidents/${incidentId}`, { ...typed, apply: 'replace' })).text();
    expect(replaced).not.toContain('Replace what you typed?');
    expect(textareaValue(replaced, 'field-body')).toBe('Template text.');
    expect(textareaValue(replaced, 'body-ja')).toBe('テンプレートの文。');
    expect(rows()).toEqual(before);
  });
});
