// The service worker behind "Notify me in this browser": shows each
// notification the site sends through the browser's push service, opens its
// page when clicked, and hands a renewed subscription to the site so the
// reader's choices carry over.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : null;
  } catch {
    message = null;
  }
  if (!message || typeof message.title !== 'string') return;
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      lang: message.lang,
      // A later notification about the same incident replaces this one, and still alerts.
      tag: message.tag,
      renotify: Boolean(message.tag),
      timestamp: message.timestamp,
      icon: '/favicon.svg',
      data: { url: message.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (typeof url === 'string' && /^https?:\/\//.test(url)) event.waitUntil(self.clients.openWindow(url));
});

self.addEventListener('pushsubscriptionchange', (event) => {
  const old = event.oldSubscription;
  event.waitUntil(
    (async () => {
      const fresh = event.newSubscription || (old && (await self.registration.pushManager.subscribe(old.options)));
      if (!fresh) return;
      await fetch('/subscribe/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscription: fresh.toJSON(), replaces: old ? old.endpoint : undefined }),
      });
    })(),
  );
});
