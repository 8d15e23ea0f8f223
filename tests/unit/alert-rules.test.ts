import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { migrateDatabase, openDatabase, type Db } from '../../db/open';
import { auditLog, users } from '../../db/schema';
import { ShiraseError } from '../../src/lib/errors';
import { createComponent } from '../../src/lib/components/create-component';
import { saveRule, type RuleInput } from '../../src/lib/alerts/save-rule';
import { deleteRule } from '../../src/lib/alerts/delete-rule';
import { moveRule } from '../../src/lib/alerts/move-rule';
import { findRule, listRules, MATCH_BUDGET, MatchBudget, ruleFor } from '../../src/lib/alerts/rule';
import { parseLabelLines } from '../../src/lib/alerts/label-lines';
import { unknownVariables } from '../../src/lib/alerts/rule-texts';
import { staffOnCall } from '../../src/lib/alerts/staff-on-call';
import { setOnCall } from '../../src/lib/auth/set-on-call';
import { fieldSummary } from '../../src/lib/admin/field-labels';

let dir: string;
let db: Db;
let api: string;
const ctx = () => ({ now: Date.now(), actor: { kind: 'user' as const, id: 'u1', label: 'admin@example.com' } });
let n = 0;
const name = () => `Rule ${++n}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shirase-rules-'));
  db = openDatabase(join(dir, 'shirase.db'));
  migrateDatabase(db);
  api = createComponent(db, { name: 'API' }, { now: Date.now() }).componentId;
});
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The refusal saveRule throws, with each field's issue. */
function refusal(input: RuleInput, id?: string): ShiraseError {
  try {
    saveRule(db, id, input, ctx());
  } catch (error) {
    if (error instanceof ShiraseError) return error;
    throw error;
  }
  throw new Error('saved');
}

describe('saving an alert rule', () => {
  it('stores matchers read in Alertmanager syntax, the defaults, and audits it', () => {
    const { id, version } = saveRule(
      db,
      undefined,
      {
        name: 'API down',
        matchers: ['service="api"', 'severity=~"critical|page"', 'env!=staging'],
        components: [{ componentId: api, status: 'major_outage' }],
      },
      ctx(),
    );
    const rule = findRule(db, id)!;
    expect(version).toBe(1);
    expect(rule.matchers).toEqual([
      { label: 'service', op: '=', value: 'api' },
      { label: 'severity', op: '=~', value: 'critical|page' },
      { label: 'env', op: '!=', value: 'staging' },
    ]);
    expect(rule).toMatchObject({
      incidentStatus: 'investigating',
      impact: 'minor',
      action: 'suggest',
      notify: false,
      recovery: 'suggest',
      recoveryStatus: 'resolved',
      enabled: true,
      texts: {},
    });
    expect(ruleFor(listRules(db), { service: 'api', severity: 'page', env: 'production' })?.id).toBe(id);
    const audit = db.select().from(auditLog).where(eq(auditLog.entityId, id)).all();
    expect(audit.map((a) => a.action)).toEqual(['alert_rule.create']);
    expect(JSON.parse(audit[0]!.after!).matchers).toEqual(['service="api"', 'severity=~"critical|page"', 'env!="staging"']);
  });

  it('names every unreadable matcher by its place, in English and Japanese', () => {
    const error = refusal({ name: name(), matchers: ['service="api"', 'service', 'sev=~"(unclosed"', '9x="y"'] });
    expect(error.code).toBe('VALIDATION');
    expect(error.fields.map((f) => f.field)).toEqual(['matchers.1', 'matchers.2', 'matchers.3']);
    const en = error.localized('en').fields.map((f) => f.message);
    expect(en[0]).toBe('service is not a matcher. Write label="value" with =, !=, =~ or !~; after =~ or !~ the value must be a valid regular expression.');
    expect(en[1]).toContain('sev=~"(unclosed"');
    const ja = error.localized('ja').fields.map((f) => f.message);
    expect(ja[0]).toContain('service はマッチャーとして読めません');
    expect(fieldSummary('ja', error.fields)[0]).toMatch(/^マッチャー: /);
    expect(fieldSummary('en', error.fields)[0]).toMatch(/^Matchers: /);
  });

  it('refuses patterns RE2 refuses (backreferences, lookaround, escaping the anchors, too large) in both languages', () => {
    const error = refusal({
      name: name(),
      matchers: ['x=~"(a)\\\\1"', 'x=~"a(?=b)"', 'x!~"(?<!a)b"', 'x=~"a)|(b"', `x=~"${'[a-z]{0,100}'.repeat(10)}"`, 'x=~"web-.*"'],
    });
    expect(error.fields.map((f) => f.field)).toEqual(['matchers.0', 'matchers.1', 'matchers.2', 'matchers.3', 'matchers.4']);
    const en = error.localized('en').fields.map((f) => f.message);
    expect(en[0]).toContain('Patterns follow RE2 syntax');
    expect(en[0]).toContain('invalid escape sequence');
    expect(en[1]).toContain('(?=');
    expect(en[4]).toContain('expression too large');
    const ja = error.localized('ja').fields.map((f) => f.message);
    expect(ja[0]).toContain('RE2 の書き方に従います');
    expect(ja[1]).toContain('先読み');
  });

  it('anchors patterns to the whole value and matches in linear time on the worst shapes', () => {
    const { id } = saveRule(db, undefined, { name: name(), matchers: ['x=~"(a+)+b"', 'host=~"web-.*"', 'env!~"stag(ing)?"'] }, ctx());
    const rules = listRules(db).filter((r) => r.id === id);
    expect(ruleFor(rules, { x: 'aaab', host: 'web-1', env: 'production' })?.id).toBe(id);
    // Alertmanager anchors: a pattern matching part of the value does not hold.
    expect(ruleFor(rules, { x: 'aaab', host: 'old-web-1', env: 'production' })).toBeUndefined();
    expect(ruleFor(rules, { x: 'aaab', host: 'web-1', env: 'staging' })).toBeUndefined();
    // JavaScript's RegExp takes seconds on 31 a's and never finishes on 40; RE2 answers at once for the longest value a payload may carry.
    for (const value of ['a'.repeat(31), 'a'.repeat(40), 'a'.repeat(2000)]) {
      const started = performance.now();
      expect(ruleFor(rules, { x: value, host: 'web-1', env: 'production' })).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(100);
    }
  });

  it('spends at most MATCH_BUDGET on one delivery, however many rules, matchers and alerts: past it the delivery is refused at once', () => {
    // Twenty matchers each just under the size limit, and alerts whose labels are as long as a payload may carry them.
    const heavy = Array.from({ length: 20 }, (_, i) => `y${String(i).padStart(2, '0')}!~"[ab]*a[ab]{900}c"`);
    const { id } = saveRule(db, undefined, { name: name(), matchers: heavy }, ctx());
    const rules = listRules(db).filter((r) => r.id === id);
    const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`y${String(i).padStart(2, '0')}`, 'ab'.repeat(1000)]));
    const started = process.cpuUsage();
    const budget = new MatchBudget();
    let refused: unknown;
    try {
      for (let alert = 0; alert < 6; alert++) ruleFor(rules, labels, budget);
    } catch (error) {
      refused = error;
    }
    const cpuMs = (process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000;
    expect(refused).toBeInstanceOf(ShiraseError);
    expect(refused).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', key: 'errors.alerts.matchingBudget' });
    // Six such alerts took twelve seconds before the budget; the budget stops it after about MATCH_BUDGET of RE2 work.
    expect(cpuMs).toBeLessThan(3_000);
    // An ordinary delivery (Alertmanager's hundreds of alerts against small patterns) stays far inside it.
    const { id: small } = saveRule(db, undefined, { name: name(), matchers: ['service=~"api|web|db"', 'instance=~"web-.*"', 'severity!~"info|debug"'] }, ctx());
    const everyday = new MatchBudget();
    const few = listRules(db).filter((r) => r.id === small);
    for (let alert = 0; alert < 1000; alert++) ruleFor(few, { service: 'api', instance: `web-${alert}.example.internal:9100`, severity: 'critical' }, everyday);
    expect(MATCH_BUDGET).toBe(10_000_000);
  });

  it('refuses texts with variables outside the list, naming the field and language', () => {
    const error = refusal({
      name: name(),
      texts: { en: { body: '{{alert_name}} since {{started_at}} on {{host}} and {{ host }}' }, ja: { recovery: '{{resolved_at}}' } },
    });
    expect(error.fields.map((f) => f.field)).toEqual(['texts.en.body', 'texts.ja.recovery']);
    expect(error.localized('en').fields[0]!.message).toContain('Unknown variables: {{host}}.');
    expect(error.localized('en').fields[0]!.message).toContain(
      '{{alert_name}}, {{alert_summary}}, {{alert_count}}, {{components}}, {{started_at}}, {{ended_at}}, {{now}}',
    );
    expect(fieldSummary('en', error.fields)).toEqual([
      expect.stringMatching(/^First update \(English\): /),
      expect.stringMatching(/^Recovery update \(日本語\): /),
    ]);
    expect(fieldSummary('ja', error.fields)[1]).toMatch(/^復旧の更新.日本語.: 不明な変数があります.\{\{resolved_at\}\}。/);
  });

  it('keeps only texts that say something, so empty ones fall back to the built-in texts', () => {
    const { id } = saveRule(
      db,
      undefined,
      { name: name(), texts: { en: { name: ' {{alert_name}} ', body: '', recovery: '   ' }, ja: { name: '', body: '' } } },
      ctx(),
    );
    expect(findRule(db, id)!.texts).toEqual({ en: { name: '{{alert_name}}' } });
    expect(unknownVariables('{{now}} {{ now }} {{Now}} {{}}')).toEqual(['Now', '']);
  });

  it('needs a name for a new rule and only existing components, each once, in an alert status', () => {
    const error = refusal({ name: '  ', components: [{ componentId: api, status: 'operational' as 'major_outage' }] });
    expect(Object.fromEntries(error.fields.map((f) => [f.field, f.key]))).toEqual({
      name: 'errors.field.nameRequired',
      'components.0.status': 'errors.field.pickRuleComponentStatus',
    });
    const missing = refusal({
      name: name(),
      components: [
        { componentId: 'zzzzzzzzzzzz', status: 'major_outage' },
        { componentId: api, status: 'partial_outage' },
        { componentId: api, status: 'major_outage' },
      ],
    });
    expect(missing.fields).toEqual([
      { field: 'components.0', key: 'errors.field.pickComponent' },
      { field: 'components.2', key: 'errors.field.componentTwice' },
    ]);
  });

  it('refuses words outside each choice with the choices named', () => {
    const error = refusal({
      name: name(),
      incidentStatus: 'resolved' as 'identified',
      impact: 'maintenance' as 'none',
      action: 'open' as 'publish',
      recovery: 'ignore' as 'apply',
      recoveryStatus: 'identified' as 'resolved',
    });
    expect(error.localized('en').fields.map((f) => `${f.field}: ${f.message}`)).toEqual([
      'incidentStatus: Pick investigating or identified.',
      'impact: Pick none, minor, major or critical.',
      'action: Pick suggest (a draft waits for staff) or publish (the incident opens at once).',
      'recovery: Pick suggest (a draft update waits for staff) or apply (the update is posted at once).',
      'recoveryStatus: Pick monitoring or resolved.',
    ]);
  });

  it('edits only the fields named, raises the version and refuses a save from an older one', () => {
    const { id } = saveRule(db, undefined, { name: name(), matchers: ['team="db"'], action: 'publish' }, ctx());
    expect(saveRule(db, id, { matchers: ['team="db"', 'env="prod"'], version: 1 }, ctx())).toEqual({ id, version: 2 });
    expect(findRule(db, id)).toMatchObject({
      action: 'publish',
      version: 2,
      matchers: [
        { label: 'team', op: '=', value: 'db' },
        { label: 'env', op: '=', value: 'prod' },
      ],
    });
    const conflict = refusal({ name: 'Overwritten', version: 1 }, id);
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.options.current).toEqual({ version: 2, values: { name: expect.any(String), matchers: 'team="db"\nenv="prod"' } });
    expect(findRule(db, id)!.name).not.toBe('Overwritten');
    expect(refusal({ name: 'x' }, 'nonexistent0').code).toBe('NOT_FOUND');
  });
});

describe('ordering and deleting rules', () => {
  it('moves a rule up and down and keeps positions 1, 2, 3… after a delete', () => {
    for (const r of listRules(db)) deleteRule(db, r.id, ctx());
    const [a, b, c] = ['A', 'B', 'C'].map((name) => saveRule(db, undefined, { name }, ctx()).id) as [string, string, string];
    moveRule(db, c, 'up', ctx());
    expect(listRules(db).map((r) => [r.name, r.position])).toEqual([
      ['A', 1],
      ['C', 2],
      ['B', 3],
    ]);
    moveRule(db, a, 'up', ctx());
    expect(listRules(db).map((r) => r.name)).toEqual(['A', 'C', 'B']);
    deleteRule(db, c, ctx());
    expect(listRules(db).map((r) => [r.name, r.position])).toEqual([
      ['A', 1],
      ['B', 2],
    ]);
    expect(saveRule(db, undefined, { name: 'D' }, ctx()).id).toBe(listRules(db)[2]!.id);
    expect(listRules(db)[2]!.position).toBe(3);
    expect(() => deleteRule(db, b, ctx(), 7)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(
      db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, c))
        .all()
        .map((r) => r.action),
    ).toEqual(['alert_rule.create', 'alert_rule.move', 'alert_rule.delete']);
  });
});

describe('labels pasted to try the rules', () => {
  it('reads key=value lines, with or without quotes, and skips blank lines', () => {
    expect(parseLabelLines('alertname=APIDown\n\n service = "api" \nsummary: Requests fail\nq="a \\"b\\""')).toEqual({
      alertname: 'APIDown',
      service: 'api',
      summary: 'Requests fail',
      q: 'a "b"',
    });
  });

  it('names each line it cannot read, and asks for labels when there are none', () => {
    const error = (() => {
      try {
        parseLabelLines('service=api\njust words\n=x');
      } catch (e) {
        return e as ShiraseError;
      }
    })()!;
    expect(error.localized('en').fields.map((f) => f.message)).toEqual([
      '“just words” is not a label: write one key=value a line.',
      '“=x” is not a label: write one key=value a line.',
    ]);
    expect(() => parseLabelLines(' \n ')).toThrow(expect.objectContaining({ fields: [{ field: 'labels', key: 'errors.field.labelsRequired' }] }));
  });

  it('holds pasted labels to the bounds of a delivered alert, quoting only the start of a long line', () => {
    const refused = (text: string) => {
      try {
        parseLabelLines(text);
      } catch (e) {
        return e as ShiraseError;
      }
      throw new Error('read');
    };
    expect(refused(`v=${'a'.repeat(2001)}`).fields).toEqual([expect.objectContaining({ key: 'errors.field.labelTooLong' })]);
    expect(refused(Array.from({ length: 101 }, (_, i) => `l${i}=x`).join('\n')).fields).toEqual([
      expect.objectContaining({ key: 'errors.alerts.tooManyLabels' }),
    ]);
    const long = refused(`x${' '.repeat(50_000)}y`).localized('ja').fields[0]!.message;
    expect(long.length).toBeLessThan(200);
    expect(parseLabelLines(`v=${'a'.repeat(2000)}`).v).toHaveLength(2000);
  });
});

describe('staff on call', () => {
  it('are the enabled staff marked on call, or every enabled admin when nobody is', () => {
    const add = (email: string, role: 'admin' | 'editor', extra: Partial<typeof users.$inferInsert> = {}) =>
      db
        .insert(users)
        .values({ id: email.slice(0, 12).padEnd(12, '0'), email, role, passwordHash: 'x', createdAt: 1, updatedAt: 1, ...extra })
        .run();
    add('admin-a@example.com', 'admin');
    add('admin-b@example.com', 'admin', { disabledAt: 5 });
    add('editor-c@example.com', 'editor');
    expect(staffOnCall(db).map((u) => u.email)).toEqual(['admin-a@example.com']);
    const editor = db.select().from(users).where(eq(users.email, 'editor-c@example.com')).get()!;
    setOnCall(db, editor.id, true, ctx());
    expect(staffOnCall(db).map((u) => u.email)).toEqual(['editor-c@example.com']);
    expect(
      db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityId, editor.id))
        .all()
        .map((r) => [r.action, r.after]),
    ).toEqual([['user.set_on_call', '{"onCall":true}']]);
    db.update(users).set({ disabledAt: 9 }).where(eq(users.id, editor.id)).run();
    expect(staffOnCall(db).map((u) => u.email)).toEqual(['admin-a@example.com']);
  });
});
