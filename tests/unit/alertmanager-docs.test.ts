import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { alertmanagerConfig } from '../support/alertmanager';

/** The YAML block of the "Alerts in" section of the alerts manual. */
function documentedAlertmanagerYaml(): unknown {
  const manual = readFileSync('docs/alerts-and-checks.md', 'utf8');
  const section = manual.slice(manual.indexOf('\n## Alerts in\n'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  if (!block) throw new Error('docs/alerts-and-checks.md: no yaml block under "Alerts in"');
  return parse(block[1]!);
}

describe('the Alertmanager setup in docs/alerts-and-checks.md', () => {
  it('is the receiver and grouping the integration tests run the real Alertmanager with', () => {
    const documented = documentedAlertmanagerYaml() as { route: Record<string, unknown>; receivers: unknown };
    const tested = alertmanagerConfig({ receiverUrl: 'https://status.example.com/api/v1/integrations/alertmanager', token: 'shr_…' });
    expect(documented.receivers).toEqual(tested.receivers);
    // The tests shorten Alertmanager's timings; the manual keeps its defaults.
    expect(documented.route).toEqual({ receiver: tested.route.receiver, group_by: tested.route.group_by });
  });
});
