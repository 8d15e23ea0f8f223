import { describe, expect, it } from 'vitest';
import { fromAlertmanager, fromGrafana, fromWebhook } from '../../src/lib/alerts/payloads';
import { formatMatcher, matcherHolds, parseMatcher, ruleFor, type AlertRule } from '../../src/lib/alerts/rule';
import { ShiraseError } from '../../src/lib/errors';

const firing = {
  status: 'firing',
  labels: { alertname: 'HighErrorRate', service: 'api' },
  annotations: { summary: '5xx above 20%' },
  startsAt: '2026-06-18T07:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
  fingerprint: 'c0ffee',
};

describe('alert payloads', () => {
  it("reads Alertmanager's version 4: the zero end time means still firing, the summary annotation names it", () => {
    const d = fromAlertmanager({ version: '4', groupKey: '{}:{service="api"}', status: 'firing', receiver: 'shirase', alerts: [firing], extra: 'ignored' });
    expect(d).toEqual({
      source: 'alertmanager',
      groupKey: '{}:{service="api"}',
      alerts: [
        {
          fingerprint: 'c0ffee',
          status: 'firing',
          name: 'HighErrorRate',
          summary: '5xx above 20%',
          labels: firing.labels,
          startsAt: Date.parse('2026-06-18T07:00:00Z'),
          endsAt: null,
          url: 'http://prometheus:9090/graph?g0.expr=x',
        },
      ],
    });
  });

  it('refuses other versions and missing fields with BAD_REQUEST naming each field', () => {
    try {
      fromAlertmanager({ version: '3', alerts: [{ status: 'burning' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ShiraseError);
      const e = error as ShiraseError;
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['version', 'groupKey', 'alerts.0.status', 'alerts.0.labels', 'alerts.0.startsAt']));
    }
  });

  it('keeps only http(s) links, so a javascript: link never reaches a staff page', () => {
    const d = fromAlertmanager({ version: '4', groupKey: 'g', status: 'firing', alerts: [{ ...firing, generatorURL: 'javascript:alert(1)' }] });
    expect(d.alerts[0]!.url).toBeNull();
    expect(fromWebhook({ id: 'a', status: 'firing', title: 'A', url: 'data:text/html,<script>1</script>' }).alerts[0]!.url).toBeNull();
  });

  it('reads Grafana, grouping by alert names when an older Grafana sends no groupKey, with a fingerprint made from the labels when none is sent', () => {
    const { fingerprint: _f, ...noFingerprint } = firing;
    const d = fromGrafana({ receiver: 'shirase', status: 'firing', orgId: 1, title: '[FIRING:1]', alerts: [noFingerprint] });
    expect(d.groupKey).toBe('grafana:HighErrorRate');
    expect(d.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(
      fromGrafana({ status: 'firing', alerts: [{ ...noFingerprint, labels: { service: 'api', alertname: 'HighErrorRate' } }] }).alerts[0]!.fingerprint,
    ).toBe(d.alerts[0]!.fingerprint);
  });

  it('reads the generic webhook: the title is the alertname label, the group defaults to the id, no start time is null', () => {
    const d = fromWebhook({ id: 'db-down', status: 'resolved', title: 'DB down', labels: { service: 'api' }, resolved_at: '2026-06-18T09:00:00Z' });
    expect(d).toMatchObject({
      source: 'webhook',
      groupKey: 'db-down',
      alerts: [
        {
          fingerprint: 'db-down',
          status: 'resolved',
          labels: { alertname: 'DB down', service: 'api' },
          startsAt: null,
          endsAt: Date.parse('2026-06-18T09:00:00Z'),
        },
      ],
    });
  });
});

describe('control characters from a sender', () => {
  it('are cleaned out of names and summaries instead of refusing the alert, which the sender would not send again', () => {
    const [alert] = fromWebhook({ id: 'c', status: 'firing', title: 'T\u0000X\r\nY\uffff', summary: 'line one\r\nline two\u001b[31m' }).alerts;
    expect(alert!.name).toBe('T X Y');
    expect(alert!.summary).toBe('line one\nline two[31m');
    expect(fromWebhook({ id: 'only-controls', status: 'firing', title: '\u0000\u0001' }).alerts[0]!.name).toBe('only-controls');
  });
});

describe('rule matchers', () => {
  it("read and write Alertmanager's syntax", () => {
    expect(parseMatcher('service="api"')).toEqual({ label: 'service', op: '=', value: 'api' });
    expect(parseMatcher(' severity != info ')).toEqual({ label: 'severity', op: '!=', value: 'info' });
    expect(parseMatcher('instance=~"web-\\\\d+"')).toEqual({ label: 'instance', op: '=~', value: 'web-\\d+' });
    expect(parseMatcher('msg="say \\"hi\\""')).toEqual({ label: 'msg', op: '=', value: 'say "hi"' });
    expect(parseMatcher('bad-label="x"')).toBeNull();
    expect(parseMatcher('x=~"("')).toBeNull();
    const m = { label: 'msg', op: '=' as const, value: 'say "hi"' };
    expect(parseMatcher(formatMatcher(m))).toEqual(m);
  });

  it('match as Alertmanager does: regular expressions anchored, a missing label is empty', () => {
    const labels = { service: 'api', instance: 'web-12' };
    expect(matcherHolds({ label: 'instance', op: '=~', value: 'web-\\d+' }, labels)).toBe(true);
    expect(matcherHolds({ label: 'instance', op: '=~', value: 'web' }, labels)).toBe(false);
    expect(matcherHolds({ label: 'instance', op: '!~', value: 'db-.*' }, labels)).toBe(true);
    expect(matcherHolds({ label: 'team', op: '=', value: '' }, labels)).toBe(true);
    expect(matcherHolds({ label: 'team', op: '!=', value: 'ops' }, labels)).toBe(true);
    expect(matcherHolds({ label: 'constructor', op: '=', value: '' }, labels)).toBe(true);
  });

  it('take an alert to the first enabled rule that matches', () => {
    const rule = (id: string, matchers: AlertRule['matchers'], enabled = true) => ({ id, matchers, enabled }) as AlertRule;
    const rules = [rule('off', [], false), rule('api', [{ label: 'service', op: '=', value: 'api' }]), rule('all', [])];
    expect(ruleFor(rules, { service: 'api' })?.id).toBe('api');
    expect(ruleFor(rules, { service: 'web' })?.id).toBe('all');
    expect(ruleFor(rules.slice(0, 2), { service: 'web' })).toBeUndefined();
  });
});
