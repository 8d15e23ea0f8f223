import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startTestSite, type TestSite } from '../support/test-server';
import { startProgram } from '../support/program';
import { until } from '../support/until';

const TOKEN = 'scrape-me-with-this-token-0123456789';
let site: TestSite;
let guarded: TestSite;
beforeAll(async () => {
  [site, guarded] = await Promise.all([startTestSite({ seed: true }), startTestSite({ seed: false, env: { METRICS_TOKEN: TOKEN } })]);
});
afterAll(() => Promise.all([site.close(), guarded.close()]));

const metrics = (s: TestSite, headers: Record<string, string> = {}) => fetch(`${s.url}/metrics`, { headers });

describe('/metrics', () => {
  it("speaks Prometheus' text format with requests, cache, renders, outbox, checks and process figures", async () => {
    await fetch(`${site.url}/`);
    await fetch(`${site.url}/`);
    await fetch(`${site.url}/no-such-page`);
    const res = await metrics(site);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toMatch(/^shirase_http_requests_total\{class="public",status="200"\} [1-9]/m);
    expect(text).toMatch(/^shirase_http_requests_total\{class="public",status="404"\} [1-9]/m);
    expect(text).toMatch(/^shirase_public_cache_requests_total\{result="hit"\} [1-9]/m);
    expect(text).toMatch(/^shirase_render_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^shirase_render_queue_length \d/m);
    expect(text).toMatch(/^shirase_reader_wait_expired_total 0$/m);
    expect(text).toMatch(/^shirase_live_connections 0/m);
    expect(text).toMatch(/^shirase_outbox_oldest_due_seconds \d/m);
    expect(text).toMatch(/^shirase_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^shirase_nodejs_heap_size_used_bytes \d/m);
    // Nothing private: no query strings, addresses or settings.
    expect(text).not.toContain(site.dir);
    expect(text).not.toContain('@example.com');
  });

  it('answers only direct loopback requests when no token is set: not through a proxy', async () => {
    const relayed = await metrics(site, { 'x-forwarded-for': '203.0.113.9' });
    expect(relayed.status).toBe(403);
    expect(await relayed.text()).toContain('set METRICS_TOKEN');
    for (const header of ['forwarded', 'x-real-ip', 'via', 'cf-connecting-ip', 'true-client-ip', 'x-client-ip', 'x-forwarded-host']) {
      expect((await metrics(site, { [header]: '203.0.113.9' })).status, header).toBe(403);
    }
  });

  it('asks for METRICS_TOKEN as a bearer token when it is set, from loopback too', async () => {
    expect((await metrics(guarded)).status).toBe(401);
    expect((await metrics(guarded, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).status).toBe(401);
    expect((await metrics(guarded, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await metrics(guarded, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('with a real Prometheus', () => {
  it('scrapes /metrics with the bearer token, and loads the shipped alerting rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-prometheus-'));
    const port = await freePort();
    const target = new URL(guarded.url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [resolve('deploy/prometheus/shirase-rules.yml')],
        scrape_configs: [{ job_name: 'shirase', authorization: { credentials: TOKEN }, static_configs: [{ targets: [target] }] }],
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    const prometheus = await startProgram(
      'prometheus',
      '/usr/bin/prometheus',
      ['--config.file', join(dir, 'prometheus.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`],
      {
        dir,
        ready: async () => void (await until(async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true, 30_000)),
      },
    );
    try {
      const query = async (q: string) =>
        (
          (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          }
        ).data.result;
      await until(async () => (await query('up{job="shirase"}'))[0]?.value[1] === '1', 30_000);
      const requests = await query('shirase_http_requests_total{class="metrics"}');
      expect(requests.length).toBeGreaterThan(0);
      expect(await query('shirase_process_resident_memory_bytes')).toHaveLength(1);
      const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; health: string }[] }[] } };
      const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
      expect(names).toEqual(expect.arrayContaining(['ShiraseMailFailing', 'ShiraseOutboxStuck', 'ShiraseBackupsStale', 'ShiraseOriginNotReady']));
    } catch (error) {
      throw new Error(`${String(error)}\n${prometheus.output()}`, { cause: error });
    } finally {
      await prometheus.stop();
    }
  }, 60_000);

  it('the shipped rules pass promtool check rules', () => {
    const run = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/shirase-rules.yml'], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('SUCCESS: 6 rules found');
    expect(run.status).toBe(0);
  });
});
