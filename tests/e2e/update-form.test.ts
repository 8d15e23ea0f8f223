import type { Page } from '@playwright/test';
import { axeViolations, tokyoLocal } from '../support/browser-checks';
import { AUDIT, expect, SHOTS, test } from './fixtures';

/** In the audit, the form as it stands in both schemes and widths. */
async function shoot(page: Page, name: string): Promise<void> {
  if (!AUDIT) return;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `${SHOTS}/${name}-${width}-${colorScheme}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('staff post an update from a bilingual template: asked before typed text is replaced, counted, and told where a back-dated time lands', async ({
  server,
  staffPage,
}) => {
  const page = await staffPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // A template in both languages, with variables.
  await page.goto(server.url + '/admin/templates');
  await page.getByLabel('Name', { exact: true }).fill('Fix rolling out');
  await page.locator('#tpl-status').selectOption('monitoring');
  await page.getByLabel('Message', { exact: true }).fill('A fix for {{components}} is rolling out (since {{started_at}}).');
  await page.getByLabel('Message (日本語)').fill('{{components}} の修正を展開しています。');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.waitForURL(/done=saved/);
  await expect(page.locator('.notice')).toHaveText('Saved.');
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'admin-templates');

  // An incident on the API, identified ten minutes ago.
  await page.goto(server.url + '/admin/incidents/new');
  await page.getByLabel('Name', { exact: true }).fill('Slow uploads');
  await page.getByLabel('Message', { exact: true }).fill('Uploads are slow.');
  await page.getByLabel(/API/).selectOption('partial_outage');
  await page.getByLabel('Shown at (Asia/Tokyo)').fill(tokyoLocal(30));
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.waitForURL(/done=opened/);
  const incidentUrl = page.url().replace(/\?.*$/, '');
  await page.getByLabel('Status', { exact: true }).selectOption('identified');
  await page.getByLabel('Message', { exact: true }).first().fill('The storage proxy is overloaded.');
  await page.locator('#displayAt').fill(tokyoLocal(10));
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.waitForURL(/done=posted/);

  // Typed text is counted as it is typed.
  const message = page.locator('#field-body');
  await message.fill('My own words.');
  await expect(page.locator('#field-body-count')).toHaveText('13 / 20,000 characters');

  // Choosing a template asks first; saying no keeps what was typed.
  const picker = page.getByLabel('Start from a template');
  await expect(page.getByRole('button', { name: 'Use this template' })).toBeHidden();
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toBe('Replace what you typed with the template “Fix rolling out”?');
    void dialog.dismiss();
  });
  await picker.selectOption({ label: 'Fix rolling out' });
  await expect(message).toHaveValue('My own words.');
  await expect(picker).toHaveValue('');

  // Saying yes fills both languages and the status, variables filled in.
  page.once('dialog', (dialog) => void dialog.accept());
  await picker.selectOption({ label: 'Fix rolling out' });
  await expect(message).toHaveValue(/^A fix for API is rolling out \(since .+ GMT\+9\)\.$/);
  await expect(page.locator('#body-ja')).toHaveValue('API の修正を展開しています。');
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('monitoring');
  await expect(page.locator('#field-body-count')).toHaveText(/^\d+ \/ 20,000 characters$/);

  // An earlier time than the latest update: the form says where it lands before saving.
  await page.locator('#displayAt').fill(tokyoLocal(20));
  await expect(page.locator('#displayAt-placement')).toHaveText(
    /^This update will be placed before the update of .+ GMT\+9; the incident's status will stay Identified\.$/,
  );
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'admin-update-form-en');

  // Back to now: no hint, and the post goes through with the template's text.
  await page.locator('#displayAt').fill('');
  await expect(page.locator('#displayAt-placement')).toHaveText('');
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.waitForURL(/done=posted/);
  await expect(page.locator('.notice')).toHaveText('Update posted.');
  await expect(page.locator('.admin-timeline .update').first()).toContainText('A fix for API is rolling out');

  // The same form in Japanese.
  await page.goto(incidentUrl.replace('/admin/', '/ja/admin/'));
  await page.locator('#field-body').fill('書きかけ');
  await expect(page.locator('#field-body-count')).toHaveText('4 / 20,000 文字');
  await page.locator('#displayAt').fill(tokyoLocal(20));
  await expect(page.locator('#displayAt-placement')).toHaveText(
    /^この更新は .+ GMT\+9 の更新より前に置かれます。インシデントの状態は「経過観察」のままです。$/,
  );
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'admin-update-form-ja');
  expect(errors).toEqual([]);
});

test('without script, a template asks on the page before it replaces typed text', async ({ server, staffPage }) => {
  const page = await staffPage({ javaScriptEnabled: false });
  await page.goto(server.url + '/admin/templates');
  await page.getByLabel('Name', { exact: true }).fill('Investigating (no script)');
  await page.locator('#tpl-status').selectOption('investigating');
  await page.getByLabel('Message', { exact: true }).fill('We are looking into {{components}}.');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.waitForURL(/done=saved/);

  await page.goto(server.url + '/admin/incidents/new');
  await page.getByLabel('Name', { exact: true }).fill('Slow search');
  await page.getByLabel('Message', { exact: true }).fill('Search is slow.');
  await page.getByLabel(/API/).selectOption('degraded_performance');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.waitForURL(/done=opened/);

  await page.locator('#field-body').fill('Half a sentence');
  await page.getByLabel('Start from a template').selectOption({ label: 'Investigating (no script)' });
  await page.getByRole('button', { name: 'Use this template' }).click();
  await expect(page.getByRole('heading', { name: 'Replace what you typed?' })).toBeVisible();
  await expect(page.locator('#field-body')).toHaveValue('Half a sentence');
  if (AUDIT) await page.screenshot({ path: `${SHOTS}/admin-template-ask-no-script-1280-light.png` });
  await page.getByRole('button', { name: 'Replace with the template' }).click();
  await expect(page.locator('#field-body')).toHaveValue('We are looking into API.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.waitForURL(/done=posted/);
});

for (const ui of [
  { prefix: '', name: 'Name', message: 'Message', template: 'Start from a template', open: 'Open incident' },
  { prefix: '/ja', name: '名前', message: 'メッセージ', template: 'テンプレートから始める', open: '障害を登録' },
]) {
  test(`the preview shows a template's variables filled in both languages before anything is saved (${ui.prefix || 'English'} UI)`, async ({
    server,
    staffPage,
  }) => {
    const page = await staffPage();
    const name = `Affected list ${ui.prefix || 'en'} ${Date.now()}`;
    await page.goto(server.url + '/admin/templates');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.locator('#tpl-status').selectOption('investigating');
    await page.getByLabel('Message', { exact: true }).fill('Errors on {{components}}.');
    await page.getByLabel('Message (日本語)').fill('{{components}} でエラーが起きています。');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/done=saved/);

    // The template first, the components after: what the form knew when the template was chosen is not enough.
    await page.goto(`${server.url}${ui.prefix}/admin/incidents/new`);
    await page.getByLabel(ui.name, { exact: true }).fill(`Board errors${ui.prefix}`);
    await page.getByLabel(ui.template).selectOption({ label: name });
    await expect(page.locator('#field-body')).toHaveValue('Errors on {{components}}.');
    await page.getByLabel(/Web app|Web アプリ/).selectOption('partial_outage');
    await page.getByLabel(/API/).selectOption('degraded_performance');
    await expect(page.locator('#field-body-preview')).toHaveText('Errors on Web app, API.');
    await expect(page.locator('#body-ja-preview')).toHaveText('Web アプリ、API でエラーが起きています。');
    if (AUDIT) await page.screenshot({ path: `${SHOTS}/admin-template-preview${ui.prefix.replace('/', '-')}-1280-light.png`, fullPage: true });

    await page.getByRole('button', { name: ui.open }).click();
    await page.waitForURL(/done=opened/);
    await page.goto(server.url + '/ja/');
    await expect(page.locator('.incident', { hasText: `Board errors${ui.prefix}` }).locator('.updates')).toContainText(
      'Web アプリ、API でエラーが起きています。',
    );
  });
}

test('without script, a template opens an incident too, its variables filled when it is published', async ({ server, staffPage }) => {
  const page = await staffPage({ javaScriptEnabled: false });
  await page.goto(server.url + '/admin/templates');
  await page.getByLabel('Name', { exact: true }).fill('Errors (no script)');
  await page.locator('#tpl-status').selectOption('investigating');
  await page.getByLabel('Message', { exact: true }).fill('Errors on {{components}}; we are looking into it.');
  await page.getByLabel('Message (日本語)').fill('{{components}} でエラーが起きています。調査中です。');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.waitForURL(/done=saved/);

  await page.goto(server.url + '/admin/incidents/new');
  await page.getByLabel('Name', { exact: true }).fill('Attachments failing');
  await page.getByLabel('Start from a template').selectOption({ label: 'Errors (no script)' });
  await page.getByRole('button', { name: 'Use this template' }).click();
  // The form comes back filled in, what was typed kept; the components are picked after.
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Attachments failing');
  await expect(page.locator('#field-body')).toHaveValue('Errors on {{components}}; we are looking into it.');
  await expect(page.locator('#body-ja')).toHaveValue('{{components}} でエラーが起きています。調査中です。');
  await page.getByLabel(/File attachments/).selectOption('partial_outage');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.waitForURL(/done=opened/);

  await page.goto(server.url + '/');
  await expect(page.locator('.incident', { hasText: 'Attachments failing' })).toContainText('Errors on File attachments; we are looking into it.');
  await page.goto(server.url + '/ja/');
  await expect(page.locator('.incident', { hasText: 'Attachments failing' })).toContainText('ファイル添付 でエラーが起きています。調査中です。');
});

test('a preview arriving does not move the button below it: a one-line message keeps the form where it stood', async ({ server, staffPage }) => {
  const page = await staffPage();
  await page.goto(server.url + '/admin/templates');
  const save = page.getByRole('button', { name: 'Save template' });
  // Where the button stands on the page, not in the viewport (filling a field scrolls to it).
  const place = () => save.evaluate((button) => button.getBoundingClientRect().top + window.scrollY);
  const before = await place();
  await page.getByLabel('Message', { exact: true }).fill('Errors on {{components}}.');
  await page.getByLabel('Message (日本語)').fill('{{components}} でエラーが起きています。');
  // The preview is asked for a moment after typing stops; a button that moved then is a click that lands elsewhere.
  await expect(page.locator('#field-body-preview')).toHaveText('Errors on {{components}}.');
  await expect(page.locator('#body-ja-preview')).not.toBeEmpty();
  expect(await place()).toBe(before);
});
