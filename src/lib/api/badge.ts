import type { ComponentStatus, Indicator } from '../status/vocabulary';
import { escapeHtml } from '../text/escape-html';

const INDICATOR_COLOURS: Record<Indicator, string> = {
  none: '#17694b',
  minor: '#7a5600',
  major: '#a33f00',
  critical: '#a1201a',
  maintenance: '#24519e',
};

const COMPONENT_COLOURS: Record<ComponentStatus, string> = {
  operational: INDICATOR_COLOURS.none,
  degraded_performance: INDICATOR_COLOURS.minor,
  partial_outage: INDICATOR_COLOURS.major,
  major_outage: INDICATOR_COLOURS.critical,
  under_maintenance: INDICATOR_COLOURS.maintenance,
};

// Close enough to Verdana 11px for a label to fit its box without measuring.
const textWidth = (text: string) =>
  Math.round([...text].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 11 : /[A-Z]/.test(ch) ? 7.5 : 6.2), 0)) + 12;

/** A two-part status badge in the familiar flat style, with a title for screen readers. */
function renderBadge(label: string, message: string, colour: string): string {
  const lw = textWidth(label);
  const mw = textWidth(message);
  const w = lw + mw;
  const l = escapeHtml(label);
  const m = escapeHtml(message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}"><title>${l}: ${m}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${colour}"/><rect width="${w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${lw / 2}" y="14">${l}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`;
}

export function overallBadge(label: string, indicator: Indicator, description: string): string {
  return renderBadge(label, description, INDICATOR_COLOURS[indicator]);
}

export function componentBadge(name: string, status: ComponentStatus, statusText: string): string {
  return renderBadge(name, statusText, COMPONENT_COLOURS[status]);
}
