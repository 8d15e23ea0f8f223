// Keeps an open status or incident page current without a reload. The page
// works without this file; with it, a change announced over Server-Sent
// Events (or found by a slow ETag poll when those are unavailable) swaps in
// the new content and tells screen readers once.
const main = document.querySelector('main');
const status = document.getElementById('live-status');
const POLL_MS = 30_000;
let etag = null;
let running = false;
let again = false;
let pollTimer = null;

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

async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    const res = await fetch(location.href, { headers: etag ? { 'if-none-match': etag } : {}, cache: 'no-cache' });
    if (res.status === 200) {
      etag = res.headers.get('etag');
      const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
      if (next && main && next.innerHTML !== main.innerHTML) {
        replaceKeepingFocus(next.innerHTML);
        if (status) status.textContent = status.dataset.message ?? 'Updated';
      }
    }
  } catch {
    // Offline or the server is restarting: the next event or poll tries again.
  } finally {
    running = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

function poll() {
  if (!pollTimer) pollTimer = setInterval(refresh, POLL_MS);
}

if (main && 'EventSource' in window) {
  const events = new EventSource('/events');
  events.addEventListener('change', refresh);
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
