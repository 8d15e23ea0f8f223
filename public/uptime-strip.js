// The uptime strips as one tab stop each (roving tabindex): the arrow keys
// move by day, Home and End go to the ends, Enter or Space opens the day's
// sheet with its incidents, Escape goes back to the day. A tap or a hover
// opens the same sheet, so a day is read the same way with any pointer, and a
// finger slid along a strip opens each day it passes. The page works without
// this file: every day is then a focusable cell whose words show on hover and
// focus.
document.documentElement.classList.add('strips-enhanced');

const cellOf = (node) => (node instanceof Element ? node.closest('.uptime-strip .cell') : null);
const sheetOf = (node) => (node instanceof Element ? node.closest('.day-sheet') : null);
// The days shown: a phone hides the older ones of the status page's strips (styles.css).
const cellsOf = (strip) => Array.from(strip.querySelectorAll(':scope > .cell')).filter((c) => c.getClientRects().length > 0);

/** Puts the strip's one tab stop on `cell`. */
function makeCurrent(cell) {
  const strip = cell.parentElement;
  for (const other of strip.querySelectorAll(':scope > .cell[tabindex="0"], :scope > .cell.is-current')) {
    if (other !== cell) {
      other.setAttribute('tabindex', '-1');
      other.classList.remove('is-current');
    }
  }
  cell.setAttribute('tabindex', '0');
  cell.classList.add('is-current');
}

/** Fills the strip's sheet with the day's words and its incidents as ordinary links. */
function showDay(cell) {
  const sheet = cell.closest('.uptime')?.querySelector('.day-sheet');
  if (!sheet) return null;
  if (sheet.dataset.day !== cell.dataset.day || sheet.hidden) {
    const words = cell.firstElementChild;
    const text = document.createElement('p');
    text.className = 'day-sheet-text';
    text.textContent = words?.firstChild?.textContent ?? '';
    const links = Array.from(cell.querySelectorAll('a'));
    sheet.replaceChildren(text);
    if (links.length > 0) {
      const list = document.createElement('ul');
      for (const a of links) {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = a.getAttribute('href');
        link.textContent = a.textContent;
        item.append(link);
        list.append(item);
      }
      sheet.append(list);
    }
    sheet.dataset.day = cell.dataset.day;
    sheet.hidden = false;
  }
  return sheet;
}

function hideSheet(uptime) {
  const sheet = uptime?.querySelector('.day-sheet');
  if (sheet) sheet.hidden = true;
}

/** Where a key sends the focus from `cell`, or null for a key the strip leaves alone. */
function target(cell, key) {
  const cells = cellsOf(cell.parentElement);
  const at = cells.indexOf(cell);
  // On a narrow screen the days wrap into rows: up and down move by a row.
  const perRow = cells.findIndex((c) => c.offsetTop !== cells[0].offsetTop);
  const row = perRow > 0 ? perRow : 1;
  switch (key) {
    case 'ArrowLeft':
      return cells[Math.max(0, at - 1)];
    case 'ArrowRight':
      return cells[Math.min(cells.length - 1, at + 1)];
    case 'ArrowUp':
      return cells[Math.max(0, at - row)];
    case 'ArrowDown':
      return cells[Math.min(cells.length - 1, at + row)];
    case 'Home':
      return cells[0];
    case 'End':
      return cells[cells.length - 1];
    default:
      return null;
  }
}

document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const cell = cellOf(event.target);
  if (cell) {
    const next = target(cell, event.key);
    if (next) {
      event.preventDefault();
      makeCurrent(next);
      next.focus();
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const sheet = showDay(cell);
      (sheet?.querySelector('a') ?? sheet)?.focus();
    } else if (event.key === 'Escape') {
      hideSheet(cell.closest('.uptime'));
    }
    return;
  }
  const sheet = sheetOf(event.target);
  if (sheet && event.key === 'Escape') {
    const back = sheet.closest('.uptime')?.querySelector(`.cell[data-day="${sheet.dataset.day}"]`);
    back?.focus();
  }
});

document.addEventListener('focusin', (event) => {
  const cell = cellOf(event.target);
  if (!cell) return;
  makeCurrent(cell);
  showDay(cell);
});

// The sheet stays while the focus is in its strip or sheet, and goes when the focus leaves both.
document.addEventListener('focusout', (event) => {
  const uptime = event.target instanceof Element ? event.target.closest('.uptime') : null;
  if (!uptime || (event.relatedTarget instanceof Node && uptime.contains(event.relatedTarget))) return;
  if (!uptime.matches(':hover')) hideSheet(uptime);
});

document.addEventListener('mouseover', (event) => {
  const cell = cellOf(event.target);
  if (cell && !cell.closest('.uptime').contains(document.activeElement)) showDay(cell);
});

document.addEventListener('mouseout', (event) => {
  const uptime = event.target instanceof Element ? event.target.closest('.uptime') : null;
  if (!uptime || (event.relatedTarget instanceof Node && uptime.contains(event.relatedTarget))) return;
  if (!uptime.contains(document.activeElement)) hideSheet(uptime);
});

// A screen turned or a window narrowed can hide the day that holds a strip's tab stop: it goes back to today.
// The query is the one in styles.css under which the older days are hidden.
matchMedia('(max-width: 40rem)').addEventListener('change', () => {
  for (const strip of document.querySelectorAll('.uptime-strip')) {
    const current = strip.querySelector(':scope > .cell[tabindex="0"]');
    if (current && current.getClientRects().length === 0) {
      hideSheet(strip.closest('.uptime'));
      const today = strip.lastElementChild;
      if (today) makeCurrent(today);
    }
  }
});

// A finger put on a strip and slid along it moves to the day under it, as a hovering mouse does; the styles leave
// sideways moves on a phone's thin bars to this (touch-action), and up and down still scroll the page.
document.addEventListener('pointermove', (event) => {
  if (event.pointerType === 'mouse' || !event.isPrimary) return;
  // A touch stays with the element it started on, so the strip is the one the finger first touched.
  const strip = cellOf(event.target)?.parentElement;
  if (!strip) return;
  const box = strip.getBoundingClientRect();
  const x = Math.min(Math.max(event.clientX, box.left + 1), box.right - 1);
  const y = Math.min(Math.max(event.clientY, box.top + 1), box.bottom - 1);
  const cell = cellOf(document.elementFromPoint(x, y));
  if (!cell || cell.parentElement !== strip || cell === document.activeElement) return;
  makeCurrent(cell);
  cell.focus({ preventScroll: true });
});

// A live update replaces the page's content: the chosen day keeps the focus (or its sheet does).
let kept = null;
document.addEventListener('shirase:before-replace', () => {
  const active = document.activeElement;
  const cell = cellOf(active);
  const sheet = sheetOf(active);
  const uptime = (cell ?? sheet)?.closest('[data-component-id]');
  kept = uptime
    ? {
        component: uptime.getAttribute('data-component-id'),
        day: cell ? cell.dataset.day : sheet.dataset.day,
        inSheet: !!sheet,
        link: sheet ? Array.from(sheet.querySelectorAll('a')).indexOf(active) : -1,
      }
    : null;
});
document.addEventListener('shirase:replaced', () => {
  if (!kept) return;
  const { component, day, inSheet, link } = kept;
  kept = null;
  const strip = Array.from(document.querySelectorAll('[data-component-id]'))
    .find((el) => el.getAttribute('data-component-id') === component)
    ?.querySelector('.uptime-strip');
  if (!strip) return;
  const cells = cellsOf(strip);
  // The day may have left the strip at midnight: today is then the nearest.
  const cell = cells.find((c) => c.dataset.day === day) ?? cells[cells.length - 1];
  if (!cell) return;
  makeCurrent(cell);
  if (!inSheet) {
    cell.focus({ preventScroll: true });
    return;
  }
  const sheet = showDay(cell);
  const links = sheet ? Array.from(sheet.querySelectorAll('a')) : [];
  (links[link] ?? links[0] ?? sheet)?.focus({ preventScroll: true });
});
