// Switches every time on the page between the page's time zone (as the
// server rendered it) and the reader's own, remembering the choice. In the
// reader's zone, entries grouped by day move under the reader's days, the
// phase chart's axis and tooltips follow, and the zone is named.
const button = document.getElementById('local-time-toggle');
const KEY = 'shirase.localTime';
const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const lang = document.documentElement.lang === 'ja' ? 'ja-JP' : 'en-GB';
/** Day groups as the server rendered them, kept while the page shows the reader's days. */
const serverDays = new WeakMap();

// The same conventions as the server's rendering: 24-hour clock, day before month in English.
const formats = {
  dateTime: new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }),
  time: new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  longDate: new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: 'UTC' }),
  dayKey: new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }),
};

/** Sets text only when it changes, so the observer below does not wake itself. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Shows the reader's version of an element's text, or the server's again. */
function swap(el, local, localText) {
  el.dataset.pageText ??= el.textContent;
  setText(el, local ? localText() : el.dataset.pageText);
}

/** `YYYY-MM-DD` of an instant in the reader's zone. */
function dayKey(ms) {
  return formats.dayKey.format(ms);
}

/** The key `n` calendar days after `key`. */
function addDays(key, n) {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function longDate(key) {
  const [y, m, d] = key.split('-').map(Number);
  return formats.longDate.format(Date.UTC(y, m - 1, d, 12));
}

/**
 * Regroups the entries of a `[data-local-days]` container under the reader's
 * days. `timeline` keeps only days that have entries, oldest first;
 * `calendar` shows every day from today back (`data-day-count` of them, more
 * if an entry is older), newest first, empty days saying so.
 */
function regroup(container) {
  const entries = [...container.querySelectorAll('[data-day-at]')];
  const template = container.querySelector('[data-day]');
  if (!template) return;
  const groups = new Map();
  for (const entry of entries) {
    const key = dayKey(Number(entry.dataset.dayAt));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(entry);
  }
  let keys;
  if (container.dataset.localDays === 'calendar') {
    const today = dayKey(Date.now());
    const count = Number(container.dataset.dayCount) || 1;
    const oldest = [...groups.keys(), addDays(today, 1 - count)].sort()[0];
    keys = [];
    for (let key = today; key >= oldest; key = addDays(key, -1)) keys.push(key);
  } else {
    keys = [...groups.keys()];
  }
  const current = [...container.querySelectorAll('[data-day]')];
  const same =
    current.length === keys.length &&
    current.every(
      (section, i) =>
        section.dataset.day === keys[i] &&
        [...section.querySelectorAll('[data-day-at]')].every((e, j) => e === (groups.get(keys[i]) ?? [])[j]) &&
        section.querySelectorAll('[data-day-at]').length === (groups.get(keys[i]) ?? []).length,
    );
  if (same) return;
  const blank = template.cloneNode(true);
  for (const entry of blank.querySelectorAll('[data-day-at]')) entry.remove();
  const sections = keys.map((key) => {
    const section = blank.cloneNode(true);
    section.dataset.day = key;
    const heading = section.querySelector('[data-day-heading]');
    heading.textContent = longDate(key);
    heading.id = `day-${key}`;
    if (section.hasAttribute('aria-labelledby')) section.setAttribute('aria-labelledby', heading.id);
    if (section.hasAttribute('aria-label')) section.setAttribute('aria-label', heading.textContent);
    const list = section.querySelector('[data-day-entries]');
    const dayEntries = groups.get(key) ?? [];
    list.append(...dayEntries);
    const empty = section.querySelector('[data-day-empty]');
    if (empty) empty.hidden = dayEntries.length > 0;
    return section;
  });
  current[0].before(...sections);
  for (const old of current) old.remove();
}

function apply(local) {
  for (const container of document.querySelectorAll('[data-local-days]')) {
    if (local) {
      if (!serverDays.has(container)) serverDays.set(container, container.cloneNode(true));
      regroup(container);
    } else if (serverDays.has(container)) {
      const original = serverDays.get(container);
      serverDays.delete(container);
      container.replaceWith(original);
    }
  }
  for (const el of document.querySelectorAll('time[datetime]')) {
    swap(el, local, () => {
      const timeOnly = /^\s*\d{1,2}:\d{2}\s*$/.test(el.dataset.pageText);
      return (timeOnly ? formats.time : formats.dateTime).format(new Date(el.getAttribute('datetime')));
    });
  }
  // The phase chart: its axis and the tooltip of each phase.
  for (const tick of document.querySelectorAll('svg.phases [data-tick-at]')) swap(tick, local, () => formats.time.format(Number(tick.dataset.tickAt)));
  for (const title of document.querySelectorAll('svg.phases title[data-from]')) {
    swap(
      title,
      local,
      () =>
        `${title.dataset.label}: ${formats.dateTime.format(Number(title.dataset.from))} – ${formats.dateTime.format(Number(title.dataset.to))} (${title.dataset.duration})`,
    );
  }
  // Notes that name the zone: the server's name it, and the reader's is named in turn.
  for (const note of document.querySelectorAll('[data-local-text]')) swap(note, local, () => note.dataset.localText.replace('{zone}', readerZone));
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
