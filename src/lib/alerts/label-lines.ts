import { fieldIssue, notSaved } from '../errors';

const LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/;

/**
 * Labels pasted as `key=value` lines (quotes optional, `key: value` as
 * Grafana shows them also read), for trying which rule takes an alert.
 * Blank lines are skipped; an unreadable line is a field error naming it.
 */
export function parseLabelLines(text: string, field = 'labels'): Record<string, string> {
  const labels: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) bad.push(line.trim());
    else labels[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  if (bad.length > 0) throw notSaved('labels', bad.map((line) => fieldIssue(field, 'errors.field.labelLine', { line })));
  if (Object.keys(labels).length === 0) throw notSaved('labels', [fieldIssue(field, 'errors.field.labelsRequired')]);
  return labels;
}
