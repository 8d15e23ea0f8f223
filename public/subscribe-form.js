// Ticking a component means "only these": the choice follows the tick, so a
// reader never saves "all components" with a list they meant to limit it to.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== 'componentIds' || !box.checked) return;
  const some = box.form?.querySelector('input[name="scope"][value="some"]');
  if (some instanceof HTMLInputElement) some.checked = true;
});

// Times in mail are given in the reader's own zone: the browser's, unless the field already holds one.
for (const field of document.querySelectorAll('input[name="timeZone"][data-browser-zone]')) {
  if (field instanceof HTMLInputElement && !field.value) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
}
