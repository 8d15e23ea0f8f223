import { describe, expect, it } from 'vitest';
import { parseLabelLines } from '../../src/lib/alerts/label-lines';
import { readMatcher, ruleFor, type AlertRule, type Matcher } from '../../src/lib/alerts/rule';
import { unknownVariables } from '../../src/lib/alerts/rule-texts';
import { MAX_LABEL_VALUE_CHARS } from '../../src/lib/alerts/alert';
import { parseExpectedStatus } from '../../src/lib/checks/check-input';
import { fillTemplate } from '../../src/lib/templates/fill-template';
import { scanPlaceholders } from '../../src/lib/templates/placeholders';
import { trimTrailing, trimTrailingSlashes } from '../../src/lib/text/trim-trailing';
import { parseTarget } from '../../src/lib/uptime/sla-targets';
import { MAX_BODY_CHARS } from '../../src/lib/validation';
import { cpuMsAgainst } from '../support/cpu-time';

// Every parser of text from outside, fed its field's maximum length in the
// shapes that make backtracking parsers blow up, must finish in at most
// 100 ms of work (CPU time of this process, so other work on the machine
// does not count). Expected work is about a millisecond; the margin is for
// slow machines. Add a row for each new parser or field.

/** The "Try it" labels box: the most a pasted form field carries. */
const TRY_LABELS_CHARS = 100_000;
const MATCHER_CHARS = 1000;

/** A rule with one matcher, as the tester and deliveries try it. */
const ruleWith = (matcher: string): AlertRule[] => {
  const read = readMatcher(matcher);
  if (!('matcher' in read)) throw new Error(`not a matcher: ${matcher}`);
  return [{ id: 'r', enabled: true, matchers: [read.matcher as Matcher] } as AlertRule];
};
const tryValue = (matcher: string) => (value: string) => ruleFor(ruleWith(matcher), { x: value });
/** Reading a text whether or not it is refused: the time is what is measured. */
const refusedOrRead = (read: (text: string) => unknown) => (text: string) => {
  try {
    return read(text);
  } catch (error) {
    return error;
  }
};

interface Row {
  parser: string;
  shape: string;
  text: () => string;
  run: (text: string) => unknown;
}

const rows: Row[] = [
  // Alert-rule matchers: the pattern is an admin's, the value a sender's.
  {
    parser: 'matcher =~ on a label value',
    shape: 'nested quantifiers (a+)+b on a run of a',
    text: () => 'a'.repeat(MAX_LABEL_VALUE_CHARS),
    run: tryValue('x=~"(a+)+b"'),
  },
  { parser: 'matcher =~ on a label value', shape: '((a*)*)*c on a run of a', text: () => 'a'.repeat(MAX_LABEL_VALUE_CHARS), run: tryValue('x=~"((a*)*)*c"') },
  {
    parser: 'matcher =~ on a label value',
    shape: 'overlapping alternation (a|aa)* on a run of a then b',
    text: () => `${'a'.repeat(MAX_LABEL_VALUE_CHARS - 1)}b`,
    run: tryValue('x=~"(a|aa)*"'),
  },
  { parser: 'matcher !~ on a label value', shape: '(.*a){20} on a run of a', text: () => 'a'.repeat(MAX_LABEL_VALUE_CHARS), run: tryValue('x!~"(.*a){20}"') },
  { parser: 'matcher text', shape: 'long whitespace run between name and operator', text: () => `x${' '.repeat(MATCHER_CHARS - 3)}=y`, run: readMatcher },
  { parser: 'matcher text', shape: 'unclosed quote full of escapes', text: () => `x="${'\\"'.repeat((MATCHER_CHARS - 3) / 2)}`, run: readMatcher },
  { parser: 'matcher pattern', shape: 'deep nesting of groups', text: () => `x=~"${'('.repeat(300)}a${')'.repeat(300)}"`, run: readMatcher },
  { parser: 'matcher pattern', shape: 'unclosed brackets', text: () => `x=~"${'(['.repeat(498)}"`, run: readMatcher },
  // Rule texts and templates: `{{ }}` placeholders in editors' texts.
  { parser: 'rule text variables', shape: 'long {{ run', text: () => '{{'.repeat(MAX_BODY_CHARS / 2), run: unknownVariables },
  { parser: 'rule text variables', shape: '{{ then a long whitespace run, unclosed', text: () => `{{${' '.repeat(MAX_BODY_CHARS - 2)}`, run: unknownVariables },
  {
    parser: 'rule text variables',
    shape: '{{ then a long run of a, closed by one brace',
    text: () => `{{${'a'.repeat(MAX_BODY_CHARS - 3)}}`,
    run: unknownVariables,
  },
  { parser: 'rule text variables', shape: 'many placeholders', text: () => '{{x}}'.repeat(MAX_BODY_CHARS / 5), run: unknownVariables },
  { parser: 'template fill', shape: 'long {{ run', text: () => '{{'.repeat(MAX_BODY_CHARS / 2), run: (text) => fillTemplate(text, { now: 'now' }) },
  {
    parser: 'template fill',
    shape: 'alternating {{ and spaces, unclosed',
    text: () => '{{ '.repeat(MAX_BODY_CHARS / 3),
    run: (text) => fillTemplate(text, { now: 'now' }),
  },
  { parser: 'placeholder scanner', shape: 'long { run then }}', text: () => `${'{'.repeat(MAX_BODY_CHARS - 2)}}}`, run: scanPlaceholders },
  // "Try it": labels pasted as lines.
  {
    parser: 'label lines',
    shape: 'long whitespace run inside one value',
    text: () => `x=a${' '.repeat(TRY_LABELS_CHARS - 4)}b`,
    run: refusedOrRead(parseLabelLines),
  },
  { parser: 'label lines', shape: 'one long run of a', text: () => 'a'.repeat(TRY_LABELS_CHARS), run: refusedOrRead(parseLabelLines) },
  {
    parser: 'label lines',
    shape: 'unclosed quote full of escapes',
    text: () => `x="${'\\"'.repeat((TRY_LABELS_CHARS - 3) / 2)}`,
    run: refusedOrRead(parseLabelLines),
  },
  { parser: 'label lines', shape: 'every line bad', text: () => 'no label\n'.repeat(TRY_LABELS_CHARS / 9), run: refusedOrRead(parseLabelLines) },
  // Small readers rewritten after the lint rule flagged them.
  { parser: 'trailing slashes', shape: 'long / run not at the end', text: () => `${'/'.repeat(TRY_LABELS_CHARS)}x`, run: trimTrailingSlashes },
  {
    parser: 'trailing full stops',
    shape: 'long . run not at the end',
    text: () => `${'.'.repeat(TRY_LABELS_CHARS)}x`,
    run: (text) => trimTrailing(text, (c) => c === '.'),
  },
  {
    parser: 'check expected status',
    shape: 'long whitespace runs around the range',
    text: () => `200${' '.repeat(TRY_LABELS_CHARS / 2)}-${' '.repeat(TRY_LABELS_CHARS / 2)}x`,
    run: parseExpectedStatus,
  },
  {
    parser: 'SLA target',
    shape: 'long whitespace run before %',
    text: () => `99${' '.repeat(TRY_LABELS_CHARS)}x%`,
    run: (text) => parseTarget(text, 'target', []),
  },
];

describe('hostile text', () => {
  it.each(rows.map((row) => [`${row.parser}: ${row.shape}`, row] as const))('%s finishes in at most 100 ms of work', (_, row) => {
    const text = row.text();
    // One short run first, so compiling and warming up are not what is measured.
    row.run(text.slice(0, 10));
    expect(cpuMsAgainst(100, () => row.run(text))).toBeLessThanOrEqual(100);
  });
});

describe('the one placeholder scanner', () => {
  it('reads {{ name }} as the patterns it replaced did: spaces trimmed, the innermost pair, no braces inside', () => {
    expect(scanPlaceholders('a {{ now }} b {{{x}} {{y}z}} {{unclosed').map((p) => p.name)).toEqual(['now', 'x']);
    expect(unknownVariables('{{alert_name}} {{ host }} {{host}} {{}}')).toEqual(['host', '']);
    expect(fillTemplate('{{ now }}/{{{now}}/{{ unknown }}/{{now', { now: 'N' })).toBe('N/{N/{{ unknown }}/{{now');
  });
});
