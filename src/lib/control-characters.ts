// The one rule for control characters in text from outside (forms, the API,
// alerts, imports): refused in names, which are one line everywhere they go
// (a calendar's name, a feed's title, a mail's subject); taken out of bodies,
// which keep their line breaks and tabs. Writers apply it again on the way
// out, so rows stored before the rule cannot break a file either.
//
// Scanned by hand rather than with regexes: one pass, and no control
// characters spelled inside patterns.

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** C0 controls, DEL and C1 controls, and U+FFFE and U+FFFF: not characters at all, and outside what XML 1.0 may carry. */
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffe || code === 0xffff;
const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * `text` with each control character and each lone UTF-16 surrogate (half a
 * character, which XML and UTF-8 cannot carry) replaced by what `replace`
 * gives for it; undefined drops it.
 */
function mapControls(text: string, replace: (code: number) => string | undefined): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isHigh(code) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (!isControl(code) && !isHigh(code) && !isLow(code)) continue;
    const replacement = replace(code);
    // A run of controls becomes one replacement (CR LF in a name is one space, not two).
    const repeated = from === i && i > 0 && out.length > 0 && replacement !== undefined && out.endsWith(replacement) && replacement === ' ';
    out += text.slice(from, i) + (repeated ? '' : (replacement ?? ''));
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Whether a name breaks the rule: any control character (a tab or line break too), or a lone surrogate. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return !text.isWellFormed();
}

/** A body as kept: line breaks as `\n`, tabs kept, every other control character and lone surrogate taken out. */
export function withoutControlCharacters(text: string): string {
  return mapControls(text.replace(/\r\n?/g, '\n'), (code) => (code === LF || code === TAB ? String.fromCharCode(code) : undefined));
}

/** A name as a writer puts it out: on one line, whatever was stored. */
export function oneLine(text: string): string {
  return mapControls(text, (code) => (isControl(code) ? ' ' : undefined));
}

/** An XML document without the characters XML 1.0 cannot carry, so a reader never stops at a stored NUL or ESC. */
export function xmlSafe(xml: string): string {
  return mapControls(xml, (code) => {
    if (code === TAB || code === LF || code === CR) return String.fromCharCode(code);
    // DEL and C1 controls are allowed in XML 1.0; lone surrogates are not.
    if (code >= 0x7f && code <= 0x9f) return String.fromCharCode(code);
    return isControl(code) ? undefined : '\ufffd';
  });
}
