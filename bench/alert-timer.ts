// The clock of `npm run bench -- alerts`, in a process of its own. For each
// alert: Alertmanager delivers it (the real one through a relay that notes
// when each delivery arrives, or its payload posted from here), and from that
// moment the admin dashboard is read until the draft is there; the draft is
// published, and from that moment the status page is read until the incident
// is there. Sends both lists of delays (ms) when done.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAlertmanager } from '../tests/support/alertmanager';

const [serverUrl, alertsToken, publishToken, cookie, count, from] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  'alertmanager' | 'payload',
];
const template = JSON.parse(readFileSync('tests/fixtures/alerts/alertmanager-firing.json', 'utf8')) as AlertmanagerPayload;

interface AlertmanagerPayload {
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: { labels: Record<string, string>; fingerprint: string; startsAt: string }[];
}

/** The fixture's payload for a new alert of its own: a name, group key and fingerprint no other alert of the run has. */
function payloadFor(alertname: string): AlertmanagerPayload {
  const alert = {
    ...template.alerts[0]!,
    labels: { ...template.alerts[0]!.labels, alertname },
    fingerprint: alertname.toLowerCase(),
    startsAt: new Date().toISOString(),
  };
  return {
    ...template,
    alerts: [alert],
    groupLabels: { ...template.groupLabels, alertname },
    commonLabels: { ...template.commonLabels, alertname },
    groupKey: `{}:{alertname="${alertname}", service="api"}`,
  };
}

async function api(path: string, token: string, body?: unknown): Promise<Response> {
  const res = await fetch(serverUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Reads `path` (as a browser would: compressed, revalidating) until its body includes `text`. */
async function until(path: string, text: string, headers: Record<string, string> = {}): Promise<void> {
  let etag: string | null = null;
  const started = performance.now();
  while (performance.now() - started < 30_000) {
    const res: Response = await fetch(serverUrl + path, { headers: { ...headers, ...(etag ? { 'if-none-match': etag } : {}) } });
    if (res.status === 200) {
      etag = res.headers.get('etag');
      if ((await res.text()).includes(text)) return;
    } else await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} did not show "${text}" within 30 s`);
}

/**
 * Stands between Alertmanager and Shirase on loopback: forwards each
 * delivery as it came and notes when it arrived, by alert name.
 */
async function startRelay() {
  const arrivals = new Map<string, { at: number; done: Promise<number> }>();
  const body = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const raw = await body(req);
    const alertname = (JSON.parse(raw.toString('utf8')) as AlertmanagerPayload).groupLabels.alertname ?? '';
    const done = fetch(serverUrl + req.url, {
      method: 'POST',
      body: new Uint8Array(raw),
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
    }).then(async (answer) => {
      res.writeHead(answer.status).end(await answer.text());
      return answer.status;
    });
    if (!arrivals.has(alertname)) arrivals.set(alertname, { at, done });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, close: () => server.close() };
}

/** A delivery handed to Shirase: when, and Shirase's answer (which waits for the public pages, so the reading starts before it). */
interface Delivery {
  at: number;
  answered: Promise<void>;
}

async function deliverer(): Promise<{ deliver(alertname: string): Promise<Delivery>; close(): Promise<void> }> {
  if (from === 'payload') {
    return {
      deliver: async (alertname) => {
        const at = performance.now();
        return { at, answered: api('/api/v1/integrations/alertmanager', alertsToken, payloadFor(alertname)).then(() => {}) };
      },
      close: async () => {},
    };
  }
  const relay = await startRelay();
  const am = await startAlertmanager({ receiverUrl: `${relay.url}/api/v1/integrations/alertmanager`, token: alertsToken });
  return {
    deliver: async (alertname) => {
      await am.fire({ ...template.alerts[0]!.labels, alertname }, { annotations: { summary: 'Benchmark alert' }, startsAt: new Date() });
      for (;;) {
        const arrival = relay.arrivals.get(alertname);
        if (arrival) {
          const answered = arrival.done.then((status) => {
            if (status >= 300) throw new Error(`Shirase answered Alertmanager's delivery with ${status}`);
          });
          return { at: arrival.at, answered };
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: async () => {
      await am.stop();
      relay.close();
    },
  };
}

const delivery: number[] = [];
const publish: number[] = [];
const run = Date.now().toString(36);
const source = await deliverer();
try {
  // Alert 0 is an unrecorded warm-up: the first of each kind of request runs code no other one pays for again.
  for (let i = 0; i <= Number(count); i++) {
    const alertname = `BenchAlert${run}n${i}`;
    const delivered = await source.deliver(alertname);
    await until('/admin', alertname, { cookie });
    if (i > 0) delivery.push(Math.round(performance.now() - delivered.at));
    await delivered.answered;

    const { drafts } = (await (await api('/api/v1/incidents?state=draft', publishToken)).json()) as { drafts: { id: string; name: string }[] };
    const draft = drafts.find((d) => d.name === alertname);
    if (!draft) throw new Error(`no draft names ${alertname}`);
    const approved = performance.now();
    const published = api(`/api/v1/incidents/${draft.id}/publish`, publishToken, {});
    await until('/', alertname);
    if (i > 0) publish.push(Math.round(performance.now() - approved));
    await published;
  }
} finally {
  await source.close();
}
process.send!({ delivery, publish }, () => process.exit(0));
