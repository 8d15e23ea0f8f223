// Ticking a component means "only these": the choice follows the tick, so a
// reader never saves "all components" with a list they meant to limit it to.
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== 'componentIds' || !box.checked) return;
  const some = box.form?.querySelector('input[name="scope"][value="some"]');
  if (some instanceof HTMLInputElement) some.checked = true;
});
