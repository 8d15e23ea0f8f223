// Switches every time on the page between the page's time zone (as the
// server rendered it) and the reader's own, remembering the choice.
const button = document.getElementById('local-time-toggle');
const note = document.querySelector('[data-time-zone]');
const KEY = 'shirase.localTime';
const pageNote = note?.textContent ?? '';

/** Sets text only when it changes, so the observer below does not wake itself. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function apply(local) {
  // The same conventions as the server's rendering: 24-hour clock, day before month in English.
  const lang = document.documentElement.lang === 'ja' ? 'ja-JP' : 'en-GB';
  for (const el of document.querySelectorAll('time[datetime]')) {
    el.dataset.pageText ??= el.textContent;
    if (!local) {
      setText(el, el.dataset.pageText);
      continue;
    }
    const date = new Date(el.getAttribute('datetime'));
    const timeOnly = /^\s*\d{1,2}:\d{2}\s*$/.test(el.dataset.pageText);
    setText(el, new Intl.DateTimeFormat(lang, timeOnly ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date));
  }
  if (note) setText(note, local ? `${note.dataset.localNote} (${Intl.DateTimeFormat().resolvedOptions().timeZone})` : pageNote);
  if (button) {
    button.setAttribute('aria-pressed', String(local));
    setText(button, local ? button.dataset.showPage : button.dataset.showLocal);
  }
}

if (button) {
  button.hidden = false;
  let local = localStorage.getItem(KEY) === '1';
  apply(local);
  button.addEventListener('click', () => {
    local = !local;
    localStorage.setItem(KEY, local ? '1' : '0');
    apply(local);
  });
  // Content swapped in by live updates arrives in the page's zone; convert it too.
  new MutationObserver(() => local && apply(true)).observe(document.querySelector('main') ?? document.body, { childList: true, subtree: true });
}
