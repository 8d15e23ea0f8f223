import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager';
import { startReceiver } from '../support/http-receiver';
import { until } from '../support/until';

interface WebhookPayload {
  version: string;
  groupKey: string;
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }[];
}

describe('the Alertmanager harness', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let am: RunningAlertmanager;
  beforeAll(async () => {
    receiver = await startReceiver();
    am = await startAlertmanager({ receiverUrl: `${receiver.url}/api/v1/integrations/alertmanager`, token: 'harness-token' });
  });
  afterAll(async () => {
    await am?.stop();
    await receiver?.close();
  });

  it('delivers a firing alert and its resolution to the webhook with the bearer token, in the version 4 payload', async () => {
    const alert = await am.fire({ alertname: 'HarnessDown', service: 'harness', severity: 'page' }, { annotations: { summary: 'The harness is down' } });
    const firing = await until(() => receiver.received.find((r) => (JSON.parse(r.body) as WebhookPayload).status === 'firing'));
    expect(firing.path).toBe('/api/v1/integrations/alertmanager');
    expect(firing.headers.authorization).toBe('Bearer harness-token');
    const payload = JSON.parse(firing.body) as WebhookPayload;
    expect(payload).toMatchObject({ version: '4', receiver: 'shirase', groupLabels: { alertname: 'HarnessDown', service: 'harness' } });
    expect(payload.alerts).toEqual([expect.objectContaining({ status: 'firing', labels: alert.labels, endsAt: '0001-01-01T00:00:00Z' })]);

    await am.resolve(alert);
    const resolved = await until(() => receiver.received.find((r) => (JSON.parse(r.body) as WebhookPayload).status === 'resolved'));
    const after = JSON.parse(resolved.body) as WebhookPayload;
    expect(after.groupKey).toBe(payload.groupKey);
    expect(after.alerts[0]).toMatchObject({ status: 'resolved', fingerprint: payload.alerts[0]!.fingerprint, startsAt: payload.alerts[0]!.startsAt });
  });
});
