// Keeps an open status or incident page current without a reload. The page
// works without this file; with it, a change announced over Server-Sent
// Events, or found by polling the small /live.json, swaps in the new content
// and tells screen readers once. Pages poll when the server says so
// (LIVE_MODE=poll, for a CDN that carries no streams) or when the stream
// fails; the page after a change is fetched under an address naming the
// change, so a cache in front answers it once for everyone and never with an
// older copy.
const main = document.querySelector('main');
const status = document.getElementById('live-status');
const mode = document.documentElement.dataset.live === 'poll' ? 'poll' : 'events';
// A page asks /live.json about the version it holds and the current round (`?since=…&round=…`). Behind
// the shipped nginx configuration the server holds that question until the next change or the round's
// end (25 seconds), for all pages at once (see live-events.ts); the answer names what to ask about next,
// which the page does at once. An answer that names nothing new (a CDN, or a server asked directly) is
// followed by the next question 1.5 to 2 seconds after the last, at random, so pages opened together do
// not poll in step; after failures (the server restarting, the origin down), up to eight times that.
// bench/edge.ts reads both numbers from here.
const POLL_MS = 1_500;
const POLL_JITTER_MS = 500;
let etag = null;
let running = false;
let again = null;
// The version this page was rendered for, when it says (public pages do): the first question is about it.
let version = document.documentElement.dataset.liveVersion ?? null;
let round = null;
let failures = 0;
let polling = false;
// A reader who has typed into a form on the page (an address to subscribe, a period for the uptime report)
// keeps what they typed: from then on the page is no longer swapped under them; sending the form, or a
// reload, shows the news.
let typed = false;
document.addEventListener('input', (event) => {
  if (main && event.target instanceof Node && main.contains(event.target)) typed = true;
});

// Replacing the content would drop the focus to the page's start; a reader
// moving through the page keeps their place. Parts that know their own
// focus better (the uptime strips) listen to the two events.
function replaceKeepingFocus(html) {
  const active = document.activeElement;
  const id = active && active !== main && main.contains(active) ? active.id : '';
  document.dispatchEvent(new CustomEvent('shirase:before-replace'));
  main.innerHTML = html;
  if (id) document.getElementById(id)?.focus({ preventScroll: true });
  document.dispatchEvent(new CustomEvent('shirase:replaced'));
}

function pageUrl(changed) {
  const url = new URL(location.href);
  url.hash = '';
  if (changed) url.searchParams.set('v', changed);
  return url.href;
}

// Resolves whether the page now shows the change (or will: a refresh already running takes it up, and a page
// the reader has typed into stays as it is on purpose), so a change missed while offline is asked about again.
async function refresh(changed) {
  if (typed) return true;
  if (running) {
    again = changed ?? again ?? '';
    return true;
  }
  running = true;
  // The browser's own copy of this address is refreshed too (not awaited): a reader who follows a link
  // here in the next few seconds would otherwise be shown the page as it was, from the browser's cache.
  if (changed) fetch(pageUrl(), { cache: 'no-cache' }).catch(() => {});
  let shown = false;
  try {
    const res = await fetch(pageUrl(changed), { headers: etag ? { 'if-none-match': etag } : {}, cache: 'no-cache' });
    shown = res.status === 200 || res.status === 304;
    if (res.status === 200) {
      etag = res.headers.get('etag');
      const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
      if (next && main && !typed && next.innerHTML !== main.innerHTML) {
        replaceKeepingFocus(next.innerHTML);
        if (status) status.textContent = status.dataset.message ?? 'Updated';
      }
    }
  } catch {
    // Offline or the server is restarting: the next event or question tries again.
  } finally {
    running = false;
    if (again !== null) {
      const next = again || undefined;
      again = null;
      refresh(next);
    }
  }
  return shown;
}

// Versions are `<this start of the server>.<changes since>`: a higher count from the same start is newer, and
// another start (a restart) is news too. Never going back keeps a cache's older copy from undoing a change.
function isNewer(next, held) {
  if (held === null) return true;
  const cut = (v) => [v.slice(0, v.lastIndexOf('.')), Number(v.slice(v.lastIndexOf('.') + 1))];
  const [start, count] = cut(next);
  const [heldStart, heldCount] = cut(held);
  return start !== heldStart || count > heldCount;
}

async function check() {
  const asked = Date.now();
  let news = false;
  try {
    // Round 0 until the first answer names the current one: a question about a past round is answered at once.
    const res = await fetch(version === null ? '/live.json' : `/live.json?since=${encodeURIComponent(version)}&round=${round ?? 0}`, { cache: 'no-cache' });
    if (!res.ok) throw new Error(String(res.status));
    const latest = await res.json();
    const latestVersion = String(latest.version);
    // Rounds only go forward, as the server's clock does: an older one from a cache is no news.
    if (typeof latest.round === 'number' && (round === null || latest.round > round)) {
      round = latest.round;
      news = true;
    }
    // The first answer also catches a change made between this page's render and now. The version counts as
    // seen once the page shows it: a refresh that failed is asked about again, after a pause.
    if (isNewer(latestVersion, version)) {
      if (!(await refresh(latestVersion))) throw new Error('the changed page did not arrive');
      version = latestVersion;
      news = true;
    }
    failures = 0;
  } catch {
    // Unreachable for now, no answer to read, or the changed page did not arrive: the next question comes after
    // a longer pause.
    news = false;
    failures++;
  }
  const pause = (POLL_MS + Math.random() * POLL_JITTER_MS) * 2 ** Math.min(failures, 3);
  setTimeout(check, news ? 0 : Math.max(0, pause - (Date.now() - asked)));
}

function poll() {
  if (polling) return;
  polling = true;
  setTimeout(check, Math.random() * POLL_JITTER_MS);
}

if (main && mode === 'events' && 'EventSource' in window) {
  const events = new EventSource('/events');
  events.addEventListener('change', (event) => {
    let changed;
    try {
      changed = JSON.parse(event.data).version;
    } catch {
      // An event without a version still means a change.
    }
    refresh(changed);
  });
  // The version out when the stream opened: a page naming an older one was rendered or kept before the change.
  events.addEventListener('current', (event) => {
    let current;
    try {
      current = String(JSON.parse(event.data).version);
    } catch {
      return;
    }
    // A page that names no version was rendered for its request, after any change announced before it.
    if (version !== null && isNewer(current, version)) {
      void refresh(current).then((shown) => {
        if (shown) version = current;
      });
    }
  });
  // After a reconnect, events sent while away were missed: look once.
  let opened = false;
  events.addEventListener('open', () => {
    if (opened) refresh();
    opened = true;
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) poll();
  });
} else if (main) {
  poll();
}
