// The uptime report's month calendars as one tab stop each (roving
// tabindex): the arrow keys move by day and by week, Home and End go to the
// month's first and last day shown. The day in focus (or under the pointer)
// is written out under its calendar; a screen reader reads the cell's own
// words. Without this file each calendar is a plain table, and the month's
// figures and its days with downtime are written out beside it anyway.
// Each component's months sit in a closed <details>: a link to them
// (`#c-<id>`) opens it, which a browser that does not do so itself is
// helped to here.
const dayOf = (node) => (node instanceof Element ? node.closest('.uptime-calendar td[data-day]') : null);
const daysOf = (table) => Array.from(table.querySelectorAll('td[data-day]'));

for (const table of document.querySelectorAll('.uptime-calendar')) {
  daysOf(table).forEach((day, i) => day.setAttribute('tabindex', i === 0 ? '0' : '-1'));
}

/** Puts the calendar's one tab stop on `day` and writes the day out under the calendar. */
function choose(day) {
  for (const other of daysOf(day.closest('table'))) other.setAttribute('tabindex', other === day ? '0' : '-1');
  const line = day.closest('.uptime-month')?.querySelector('.uptime-day-line');
  if (line) {
    // The cell's words start with a colon, after the day's number.
    line.textContent = `${day.dataset.day}${day.querySelector('.visually-hidden')?.textContent ?? ''}`;
    line.hidden = false;
  }
}

const STEPS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const day = dayOf(event.target);
  if (!day) return;
  const days = daysOf(day.closest('table'));
  const at = days.indexOf(day);
  let next = null;
  if (event.key in STEPS) next = days[Math.min(days.length - 1, Math.max(0, at + STEPS[event.key]))];
  else if (event.key === 'Home') next = days[0];
  else if (event.key === 'End') next = days[days.length - 1];
  if (!next) return;
  event.preventDefault();
  choose(next);
  next.focus();
});

document.addEventListener('focusin', (event) => {
  const day = dayOf(event.target);
  if (day) choose(day);
});

document.addEventListener('mouseover', (event) => {
  const day = dayOf(event.target);
  if (day && !day.closest('table').contains(document.activeElement)) choose(day);
});

function openLinkedMonths() {
  const target = document.querySelector(':target');
  const details = target?.closest('details');
  if (!details || details.open) return;
  details.open = true;
  target.scrollIntoView();
}
openLinkedMonths();
addEventListener('hashchange', openLinkedMonths);
