import { LOCALES, messageKeys, t, type Locale } from '../i18n/messages';

/** The colours of the status dot, the same as the status page's bars. */
const DOT_COLORS = { none: '#2e9e74', minor: '#e0a800', major: '#e66a00', critical: '#d1342b', maintenance: '#2f5fb3' } as const;

/** What the script may say, in every language: the overall descriptions of status.json, and its own two texts. */
function texts(locale: Locale, siteName: string): Record<string, string> {
  const out: Record<string, string> = { '': siteName, unavailable: t(locale, 'embed.unavailable') };
  for (const key of messageKeys()) if (key.startsWith('page.')) out[key.slice('page.'.length)] = t(locale, key);
  return out;
}

/**
 * `/embed.js`: a dependency-free script another site includes to show the
 * status as a linked dot and text where its tag is. It reads
 * /api/v2/status.json from the site that served it (open to every origin),
 * so it works from the static copy too, and asks again every minute.
 */
export function embedScript(siteName: string): string {
  const words = Object.fromEntries(LOCALES.map((locale) => [locale, texts(locale, siteName)]));
  return `// Status indicator. Include with <script src=".../embed.js" async></script>; data-lang="ja" for Japanese.
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var words = ${JSON.stringify(words)};
  var colors = ${JSON.stringify(DOT_COLORS)};
  var wanted = (script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en').toLowerCase();
  var lang = wanted.indexOf('ja') === 0 ? 'ja' : 'en';
  var say = words[lang];
  var link = document.createElement('a');
  link.className = 'shirase-status';
  link.href = origin + (lang === 'ja' ? '/ja/' : '/');
  link.target = '_blank';
  link.rel = 'noopener';
  link.style.cssText = 'display:inline-flex;align-items:center;gap:.45em;color:inherit;font:inherit;text-decoration:none';
  var dot = document.createElement('span');
  dot.setAttribute('aria-hidden', 'true');
  dot.style.cssText = 'display:inline-block;flex:none;width:.7em;height:.7em;border-radius:50%;background:#9aa1a9';
  var label = document.createElement('span');
  label.textContent = say[''];
  link.appendChild(dot);
  link.appendChild(label);
  script.parentNode.insertBefore(link, script.nextSibling);
  function show() {
    fetch(origin + '/api/v2/status.json', { credentials: 'omit' })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.json(); })
      .then(function (data) {
        var status = data.status || {};
        link.setAttribute('data-indicator', status.indicator);
        dot.style.background = colors[status.indicator] || '#9aa1a9';
        label.textContent = say[status.description] || status.description || say.unavailable;
      })
      .catch(function () {
        link.setAttribute('data-indicator', 'unknown');
        dot.style.background = '#9aa1a9';
        label.textContent = say.unavailable;
      });
  }
  show();
  setInterval(show, 60000);
})();
`;
}
