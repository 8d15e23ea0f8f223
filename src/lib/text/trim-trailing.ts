// Strips a run of characters from the end of a text by walking back from it.
// The obvious /x+$/ is quadratic: it retries the run from every position of a
// long run that does not reach the end, and these texts can come from outside.

/** The text without the trailing characters `strip` says yes to. */
export function trimTrailing(text: string, strip: (char: string) => boolean): string {
  let end = text.length;
  while (end > 0 && strip(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** The text without trailing slashes (`https://a/b//` → `https://a/b`). */
export function trimTrailingSlashes(text: string): string {
  return trimTrailing(text, (c) => c === '/');
}
