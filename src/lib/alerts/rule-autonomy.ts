// Which rules act with no person involved. A rule that publishes (or applies
// its recovery) makes public changes on an alert alone, and with `notify` it
// emails subscribers too; staff must be able to see such rules at a glance,
// in the audit log and on the dashboard.
import type { AlertRule } from './rule';

export type RuleAutonomy = 'none' | 'publishes' | 'notifies';

/** What the rule does on its own: nothing public, public changes, or public changes that subscribers are told of. */
export function ruleAutonomy(rule: Pick<AlertRule, 'action' | 'recovery' | 'notify'>): RuleAutonomy {
  if (rule.action !== 'publish' && rule.recovery !== 'apply') return 'none';
  return rule.notify ? 'notifies' : 'publishes';
}

/** The audit action for saving a rule, worded apart when the rule acts on its own. */
export function ruleSaveAction(verb: 'create' | 'edit', rule: Pick<AlertRule, 'action' | 'recovery' | 'notify'>): string {
  const autonomy = ruleAutonomy(rule);
  return autonomy === 'none' ? `alert_rule.${verb}` : `alert_rule.${verb}_${autonomy === 'notifies' ? 'notifying' : 'publishing'}`;
}

/** Enabled rules that act on their own, in the order they are tried: for the dashboard. */
export function autonomousRules(rules: AlertRule[]): { id: string; name: string; autonomy: Exclude<RuleAutonomy, 'none'> }[] {
  return rules.flatMap((r) => {
    const autonomy = ruleAutonomy(r);
    return r.enabled && autonomy !== 'none' ? [{ id: r.id, name: r.name, autonomy }] : [];
  });
}
