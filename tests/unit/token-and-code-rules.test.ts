import { describe, expect, it } from 'vitest';
import { CODE_CEILING, codeWaitMs, FIRST_CODE_WAIT_MS, MAX_CODE_WAIT_MS } from '../../src/lib/auth/second-factor-ceiling';
import { ruleAutonomy, ruleSaveAction } from '../../src/lib/alerts/rule-autonomy';
import { auditAudienceOf } from '../../src/lib/audit/audit-audience';

describe('the wait after wrong second-factor codes', () => {
  it('is nothing below the ceiling, then doubles with each wrong code, up to its longest', () => {
    expect(Array.from({ length: CODE_CEILING - 1 }, (_, i) => codeWaitMs(i + 1))).toEqual(Array(CODE_CEILING - 1).fill(0));
    expect(codeWaitMs(CODE_CEILING)).toBe(FIRST_CODE_WAIT_MS);
    expect(codeWaitMs(CODE_CEILING + 1)).toBe(2 * FIRST_CODE_WAIT_MS);
    expect(codeWaitMs(CODE_CEILING + 2)).toBe(4 * FIRST_CODE_WAIT_MS);
    expect(codeWaitMs(CODE_CEILING + 100)).toBe(MAX_CODE_WAIT_MS);
    expect(codeWaitMs(10_000)).toBe(MAX_CODE_WAIT_MS);
  });
});

describe('what a rule does on its own', () => {
  it('names rules that publish or apply their recovery, and those that also tell subscribers', () => {
    expect(ruleAutonomy({ action: 'suggest', recovery: 'suggest', notify: true })).toBe('none');
    expect(ruleAutonomy({ action: 'publish', recovery: 'suggest', notify: false })).toBe('publishes');
    expect(ruleAutonomy({ action: 'suggest', recovery: 'apply', notify: true })).toBe('notifies');
    expect(ruleSaveAction('create', { action: 'publish', recovery: 'suggest', notify: true })).toBe('alert_rule.create_notifying');
    expect(ruleSaveAction('edit', { action: 'publish', recovery: 'apply', notify: false })).toBe('alert_rule.edit_publishing');
    expect(ruleSaveAction('edit', { action: 'suggest', recovery: 'suggest', notify: false })).toBe('alert_rule.edit');
  });
});

describe('who reads an audit entry', () => {
  it('keeps staff accounts, tokens, subscribers, webhooks, chat, settings, imports and checks for admins', () => {
    for (const action of [
      'user.sign_in',
      'token.create',
      'subscriber.export',
      'webhook.create',
      'chat.create',
      'settings.edit',
      'import.statuspage',
      'check.edit',
    ])
      expect(auditAudienceOf(action), action).toBe('admins');
    for (const action of [
      'incident.open',
      'draft.publish',
      'maintenance.schedule',
      'component.set_status',
      'postmortem.publish',
      'template.edit',
      'uptime.correct',
      'alert_rule.create_notifying',
      'alerts.suggest',
    ])
      expect(auditAudienceOf(action), action).toBe('staff');
  });
});
