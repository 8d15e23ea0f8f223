// Admin enhancements. Every form works without this file; it adds the live
// Markdown preview and filling a body from a saved template.
const previewTimers = new WeakMap();

async function renderPreview(textarea) {
  const target = document.getElementById(textarea.dataset.preview);
  if (!target) return;
  const res = await fetch('/admin/preview', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ markdown: textarea.value }),
  });
  if (res.ok) target.innerHTML = (await res.json()).html;
}

for (const textarea of document.querySelectorAll('textarea[data-preview]')) {
  textarea.addEventListener('input', () => {
    clearTimeout(previewTimers.get(textarea));
    previewTimers.set(textarea, setTimeout(() => renderPreview(textarea), 150));
  });
  if (textarea.value) renderPreview(textarea);
}

for (const select of document.querySelectorAll('select[data-template-for]')) {
  select.addEventListener('change', () => {
    const option = select.selectedOptions[0];
    const textarea = document.getElementById(select.dataset.templateFor);
    if (!option || !option.dataset.body || !textarea) return;
    textarea.value = option.dataset.body;
    const status = select.form?.querySelector('[name="status"]');
    if (status && option.dataset.status) status.value = option.dataset.status;
    textarea.dispatchEvent(new Event('input'));
  });
}

// Irreversible actions: the server asks for a yes on a page of its own (it works without script);
// here the browser's dialog asks instead, and a yes travels with the form so that page is skipped.
for (const form of document.querySelectorAll('form')) {
  form.addEventListener('submit', (event) => {
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
}

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
