// The one reader of `{{ name }}` placeholders (rule texts, templates, alert
// texts, postmortem blocks). It scans by hand, once over the text: a regex
// such as /\{\{\s*([^{}]*?)\s*\}\}/ backtracks cubically on long `{{` runs,
// and these texts come from editors and tokens.

export interface Placeholder {
  /** Offset of the first `{` and just past the last `}`. */
  start: number;
  end: number;
  /** What stands between the braces, without the spaces around it. */
  name: string;
}

/**
 * Every `{{ … }}` whose inside has no brace, left to right and never
 * overlapping; in `{{{a}}` it is the inner `{{a}}`, as the old pattern read it.
 */
export function scanPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  let i = text.indexOf('{{');
  while (i !== -1) {
    // The next brace after the opening pair decides: `}}` closes, anything else moves on.
    let j = i + 2;
    while (j < text.length && text[j] !== '{' && text[j] !== '}') j++;
    if (j >= text.length) break;
    if (text[j] === '}' && text[j + 1] === '}') {
      found.push({ start: i, end: j + 2, name: text.slice(i + 2, j).trim() });
      i = text.indexOf('{{', j + 2);
    } else if (text[j] === '{') {
      // `{{{`: the pair may start one further on; otherwise no pair starts before j.
      i = text.indexOf('{{', j === i + 2 ? i + 1 : j);
    } else {
      i = text.indexOf('{{', j + 1);
    }
  }
  return found;
}

/** The text with each placeholder `replace` gives a string for replaced; the others stay as typed. */
export function replacePlaceholders(text: string, replace: (name: string) => string | undefined): string {
  let out = '';
  let from = 0;
  for (const p of scanPlaceholders(text)) {
    const value = replace(p.name);
    if (value === undefined) continue;
    out += text.slice(from, p.start) + value;
    from = p.end;
  }
  return out + text.slice(from);
}
