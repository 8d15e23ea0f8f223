// The one escaper for HTML (and SVG/XML) built by hand: text and attribute
// values alike, so a caller never has to know which characters its spot needs.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The text with every character that could end a text node or a quoted attribute written as an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
