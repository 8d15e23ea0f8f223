// Read by hand, once over each line: the pattern this replaced backtracked
// quadratically on long whitespace runs, and the text is pasted from outside.
import { fieldIssue, notSaved, type FieldIssue } from '../errors';
import { MAX_LABEL_NAME_CHARS, MAX_LABEL_VALUE_CHARS, MAX_LABELS } from './alert';

/** Lines quoted back in an error: enough to find them, never the whole paste. */
const MAX_QUOTED_LINES = 5;
const MAX_QUOTED_CHARS = 80;

const isSpace = (c: string) => c.trim() === '';
const isNameStart = (c: string) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_';
const isNameChar = (c: string) => isNameStart(c) || (c >= '0' && c <= '9');

/** A `"…"` value with backslash escapes that ends the line, unescaped; null when the line's rest is not one. */
function quoted(rest: string): string | null {
  if (rest.length < 2 || rest[0] !== '"') return null;
  let out = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\' && i + 1 < rest.length) out += rest[++i];
    else if (c === '"') return i === rest.length - 1 ? out : null;
    else out += c;
  }
  return null;
}

/** One `key=value` (or `key: value`) line; null when it is not one. */
function readLine(line: string): [string, string] | null {
  const text = line.trim();
  let i = 0;
  if (!isNameStart(text[0] ?? '')) return null;
  while (i < text.length && isNameChar(text[i]!)) i++;
  const name = text.slice(0, i);
  while (i < text.length && isSpace(text[i]!)) i++;
  if (text[i] !== '=' && text[i] !== ':') return null;
  const rest = text.slice(i + 1).trim();
  return [name, quoted(rest) ?? rest];
}

/**
 * Labels pasted as `key=value` lines (quotes optional, `key: value` as
 * Grafana shows them also read), for trying which rule takes an alert.
 * Blank lines are skipped; an unreadable line is a field error naming it.
 * The bounds are those of a delivered alert's labels.
 */
export function parseLabelLines(text: string, field = 'labels'): Record<string, string> {
  const labels: Record<string, string> = {};
  const bad: string[] = [];
  const tooLong: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const read = readLine(line);
    if (!read) bad.push(line.trim());
    else if (read[0].length > MAX_LABEL_NAME_CHARS || read[1].length > MAX_LABEL_VALUE_CHARS) tooLong.push(read[0]);
    else labels[read[0]] = read[1];
  }
  const quote = (s: string) => (s.length > MAX_QUOTED_CHARS ? `${s.slice(0, MAX_QUOTED_CHARS)}…` : s);
  const issues: FieldIssue[] = [
    ...bad.slice(0, MAX_QUOTED_LINES).map((line) => fieldIssue(field, 'errors.field.labelLine', { line: quote(line) })),
    ...tooLong
      .slice(0, MAX_QUOTED_LINES)
      .map((name) => fieldIssue(field, 'errors.field.labelTooLong', { name: quote(name), nameMax: MAX_LABEL_NAME_CHARS, valueMax: MAX_LABEL_VALUE_CHARS })),
  ];
  if (Object.keys(labels).length > MAX_LABELS) issues.push(fieldIssue(field, 'errors.alerts.tooManyLabels'));
  if (issues.length > 0) throw notSaved('labels', issues);
  if (Object.keys(labels).length === 0) throw notSaved('labels', [fieldIssue(field, 'errors.field.labelsRequired')]);
  return labels;
}
