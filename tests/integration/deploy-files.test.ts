// The files an operator installs from deploy/ and the container files,
// checked by the programs that read them where this machine has them
// (systemd-analyze), and otherwise against what CI itself runs: no container
// image can be built here (no base image can be fetched), so the
// Dockerfile's build steps are held to .ci/production's, which CI runs, and
// its health check command is run against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { freePort, startTestSite, type TestSite } from '../support/test-server';

describe('deploy/systemd/shirase.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const run = spawnSync('systemd-analyze', ['verify', 'deploy/systemd/shirase.service'], { encoding: 'utf8' });
    expect(run.error, 'systemd-analyze is not installed: apt-get install systemd (.ci/run does)').toBeUndefined();
    // Unknown or misspelt settings are only warned about, with exit status 0: the output must be empty.
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('every shipped way to start the server', () => {
  it('keeps glibc to two malloc arenas, which holds the peak memory of many pages down (docs/performance.md)', () => {
    expect(readFileSync('deploy/systemd/shirase.service', 'utf8')).toMatch(/^Environment=MALLOC_ARENA_MAX=2$/m);
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^\s+MALLOC_ARENA_MAX=2$/m);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} node scripts/start.mjs');
  });
});

describe('the Dockerfile and compose.yaml', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: false });
  });
  afterAll(() => site.close());

  it('build and start with the steps CI runs for a production install', () => {
    const ci = readFileSync('.ci/production', 'utf8');
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/shirase\/start\.mjs"\]$/m);
    expect(ci).toContain('npm prune --omit=dev');
    expect(ci).toContain('npm run build');
    expect(ci).toContain('node dist/shirase/start.mjs');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^VOLUME \/data$/m);
    expect(dockerfile).toMatch(/DATABASE_PATH=\/data\/shirase\.db/);
  });

  it('has a health check command that passes on a running server and fails on a stopped one', async () => {
    const command = JSON.parse(/^ {2}CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    // Run beside the server, which answers from this same process: spawnSync would stop it answering.
    const check = (port: string) =>
      new Promise<number | null>((done) =>
        execFile(process.execPath, ['-e', command[2]!], { env: { ...process.env, PORT: port }, timeout: 10_000 }, (error) =>
          done(error ? (typeof error.code === 'number' ? error.code : null) : 0),
        ),
      );
    expect(await check(new URL(site.url).port)).toBe(0);
    expect(await check(String(await freePort()))).toBe(1);
  });

  it('puts the shipped nginx configuration in front, sharing the network namespace its upstream names', () => {
    const compose = parse(readFileSync('compose.yaml', 'utf8')) as {
      services: Record<string, { network_mode?: string; volumes?: string[]; environment?: Record<string, string> }>;
    };
    expect(compose.services.nginx!.volumes).toContain('./deploy/nginx/shirase.conf:/etc/nginx/conf.d/shirase.conf:ro');
    expect(compose.services.nginx!.network_mode).toBe('service:shirase');
    expect(readFileSync('deploy/nginx/shirase.conf', 'utf8')).toContain('server 127.0.0.1:4321;');
    expect(compose.services.shirase!.environment).toMatchObject({ TRUST_PROXY: 'loopback', HOST: '127.0.0.1', PORT: '4321' });
  });
});
