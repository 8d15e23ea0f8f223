// "Notify me in this browser": subscribes this browser through its push
// service with the site's VAPID key (the form's data-key), hands the
// subscription to the site (data-endpoint), and shows whether notifications
// are on, with a way to turn them off. Forms stay hidden in a browser that
// cannot take notifications, except where the page asks to explain why.
const supported = window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** The key as the bytes pushManager.subscribe takes. */
function keyBytes(base64url) {
  const raw = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const held = subscription.options && subscription.options.applicationServerKey;
  if (!held) return true;
  const a = new Uint8Array(held);
  const b = keyBytes(key);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  return registration ? registration.pushManager.getSubscription() : null;
}

function setUp(form) {
  const texts = JSON.parse(form.dataset.texts);
  const on = form.querySelector('[data-push-on]');
  const off = form.querySelector('[data-push-off]');
  const state = form.querySelector('.push-state');
  const inline = form.classList.contains('push-inline');
  const say = (text) => {
    state.textContent = text;
  };
  const show = (subscribed, message) => {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(message ?? (subscribed ? texts.on : ''));
  };
  const send = (method, body) =>
    fetch(form.dataset.endpoint, { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });

  if (!supported) {
    if (!inline) {
      form.hidden = false;
      on.hidden = true;
      say(texts.unsupported);
    }
    return;
  }
  form.hidden = false;
  currentSubscription()
    .then((subscription) => show(Boolean(subscription)))
    .catch(() => show(false));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    on.disabled = true;
    say(texts.working);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') return show(false, texts.denied);
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      // A subscription made for another key (the site's keys were replaced) cannot be sent to any more.
      if (subscription && !sameKey(subscription, form.dataset.key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      try {
        subscription = subscription || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(form.dataset.key) }));
      } catch {
        return show(false, texts.failed);
      }
      const fields = new FormData(form);
      const componentIds = fields.get('scope') === 'some' ? fields.getAll('componentIds') : null;
      const answer = await send('POST', { subscription: subscription.toJSON(), componentIds, locale: fields.get('locale') });
      if (!answer.ok) {
        const body = await answer.json().catch(() => null);
        const error = body && body.error;
        const detail = error && error.fields && error.fields[0] ? error.fields[0].message : '';
        return show(false, error ? [error.message, detail].filter(Boolean).join(' ') : texts.failed);
      }
      show(true);
    } catch {
      show(false, texts.failed);
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener('click', async () => {
    off.disabled = true;
    try {
      const subscription = await currentSubscription();
      if (subscription) {
        await send('DELETE', { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      show(false, texts.off);
    } catch {
      show(true, texts.failed);
    } finally {
      off.disabled = false;
    }
  });
}

for (const form of document.querySelectorAll('form[data-push]')) setUp(form);
