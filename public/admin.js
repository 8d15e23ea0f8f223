// Admin enhancements. Every form works without this file; it adds the live
// Markdown preview, filling a body from a saved template, character counts
// and the back-dated update hint.
const previewTimers = new WeakMap();

// An update's preview is what will be published: the server fills the
// template variables from the form as it stands (components, times) and, on
// an incident's page, from the incident, in the field's language.
async function renderPreview(textarea) {
  const target = document.getElementById(textarea.dataset.preview);
  if (!target) return;
  const request = { markdown: textarea.value, lang: textarea.lang || undefined };
  if (textarea.hasAttribute('data-preview-fills') && textarea.form) {
    request.fields = Object.fromEntries([...new FormData(textarea.form)].filter(([, value]) => typeof value === 'string'));
    request.incidentId = /\/admin\/incidents\/([a-z0-9]+)$/.exec(location.pathname)?.[1];
  }
  const res = await fetch('/admin/preview', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (res.ok) target.innerHTML = (await res.json()).html;
}

const schedulePreview = (textarea) => {
  clearTimeout(previewTimers.get(textarea));
  previewTimers.set(
    textarea,
    setTimeout(() => renderPreview(textarea), 150),
  );
};

for (const textarea of document.querySelectorAll('textarea[data-preview]')) {
  textarea.addEventListener('input', () => schedulePreview(textarea));
  if (textarea.value) renderPreview(textarea);
}
// Picking a component or changing a time changes what the variables say.
for (const form of new Set([...document.querySelectorAll('textarea[data-preview-fills]')].map((t) => t.form).filter(Boolean))) {
  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLTextAreaElement) return;
    for (const textarea of form.querySelectorAll('textarea[data-preview-fills]')) if (textarea.value) schedulePreview(textarea);
  });
}

// Templates: choosing one fills the text and its translations in, and asks
// first when anything has been typed there; never replaces it unasked.
for (const select of document.querySelectorAll('select[data-template-for]')) {
  const button = select.form?.querySelector('[data-template-button]');
  if (button) button.hidden = true;
  select.addEventListener('change', () => {
    const option = select.selectedOptions[0];
    const textarea = document.getElementById(select.dataset.templateFor);
    if (!option || !option.dataset.body || !textarea) return;
    const translations = JSON.parse(option.dataset.translations || '{}');
    const others = Object.keys(translations)
      .map((locale) => [select.form?.querySelector(`[name="${textarea.name}:${locale}"]`), translations[locale]])
      .filter(([field]) => field);
    const typed = [textarea, ...others.map(([field]) => field)].some((field) => field.value.trim() !== '');
    if (typed && !window.confirm(option.dataset.confirm)) {
      select.value = '';
      return;
    }
    textarea.value = option.dataset.body;
    for (const [field, text] of others) {
      field.value = text;
      field.dispatchEvent(new Event('input'));
    }
    const status = select.form?.querySelector('[name="status"]');
    if (status && option.dataset.status) {
      status.value = option.dataset.status;
      status.dispatchEvent(new Event('change'));
    }
    textarea.dispatchEvent(new Event('input'));
  });
}

// "1,234 / 20,000 characters" under long text fields, kept current while typing.
for (const counter of document.querySelectorAll('[data-count-for]')) {
  const field = document.getElementById(counter.dataset.countFor);
  if (!field) continue;
  const format = new Intl.NumberFormat(document.documentElement.lang === 'ja' ? 'ja-JP' : 'en-GB');
  field.addEventListener('input', () => {
    counter.textContent = counter.dataset.text.replace('{count}', format.format(field.value.length));
  });
}

// Where a back-dated update lands, asked of the server (one rule, the save's) as the time or status changes.
for (const hint of document.querySelectorAll('[data-placement-for]')) {
  const form = hint.closest('form');
  const time = form?.querySelector('[name="displayAt"]');
  const status = form?.querySelector('[name="status"]');
  if (!time || !status) continue;
  let asked = 0;
  const ask = async () => {
    const mine = ++asked;
    const res = await fetch(`${document.documentElement.lang === 'ja' ? '/ja' : ''}/admin/update-placement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ incidentId: hint.dataset.placementFor, status: status.value, displayAt: time.value }),
    });
    if (!res.ok || mine !== asked) return;
    hint.textContent = (await res.json()).hint ?? '';
  };
  time.addEventListener('change', ask);
  time.addEventListener('input', ask);
  status.addEventListener('change', ask);
}

// Irreversible actions: the server asks for a yes on a page of its own (it works without script);
// here the browser's dialog asks instead, and a yes travels with the form so that page is skipped.
// One listener on the document, so forms a refresh put in (the dashboard's) ask too.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = event.submitter?.dataset.confirm ?? form.dataset.confirm;
  if (!question) return;
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  form.querySelector('input[name="confirmed"]')?.remove();
  const yes = document.createElement('input');
  yes.type = 'hidden';
  yes.name = 'confirmed';
  yes.value = 'yes';
  form.append(yes);
});

// "Written up after the event" and "a record of past work" tell nobody: the notify box is disabled while
// they are ticked (the server ignores it either way; this only shows it).
for (const box of document.querySelectorAll('input[type="checkbox"][data-silences]')) {
  const target = box.form?.elements.namedItem(box.dataset.silences);
  if (!(target instanceof HTMLInputElement)) continue;
  const sync = () => {
    target.disabled = box.checked;
  };
  box.addEventListener('change', sync);
  sync();
}

// A secret shown once: the page opens on it, and its button copies it.
for (const box of document.querySelectorAll('[data-one-time-secret]')) {
  box.scrollIntoView({ block: 'start' });
  box.focus({ preventScroll: true });
  const button = box.querySelector('[data-copy-secret]');
  const state = box.querySelector('.copy-state');
  if (!button || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(box.querySelector('[data-secret]').textContent.trim());
    state.textContent = state.dataset.copied;
  });
}

// The dashboard refreshes its own sections in place: clocks move on and new
// drafts or overdue incidents show without a reload. A refresh waits while the
// tab is hidden or while someone is working inside the sections.
for (const live of document.querySelectorAll('[data-refresh-seconds]')) {
  const every = Number(live.dataset.refreshSeconds) * 1000;
  const refresh = async () => {
    if (document.hidden || live.contains(document.activeElement)) return;
    const res = await fetch(location.href, { cache: 'no-store', headers: { accept: 'text/html' } }).catch(() => null);
    // Signed out meanwhile, or the server is away: the page stays as it is.
    if (!res || !res.ok || res.redirected) return;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById(live.id);
    if (fresh && fresh.innerHTML !== live.innerHTML && !live.contains(document.activeElement)) live.innerHTML = fresh.innerHTML;
  };
  setInterval(refresh, every);
}
