// A write's answer brings the public pages it changed (render-request.ts):
// the renderer a render thread runs, over a real database with the real
// migrations and Astro's real build.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/config';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { changeCounterReader } from '../../src/lib/site/change-counter';
import { createRenderer, pageRequest, type Render, type RenderRequest } from '../../src/server/render-request';
import { freshDatabase } from '../support/test-server';

const database = freshDatabase({ seed: true });
const counter = changeCounterReader(database.db);
const now = Date.now();
let render: Render;
let token: string;
let incidentId: string;

beforeAll(async () => {
  render = await createRenderer({ db: database.db, environment: parseConfig({ DATABASE_PATH: database.databasePath }), distDir: resolve('dist') });
  token = createApiToken(database.db, { name: 'writer', scopes: ['incidents'] }, { now }).token;
  incidentId = openIncident(database.db, { name: 'Slow checkouts', status: 'investigating', body: 'Looking into it.' }, { now }).incidentId;
});
afterAll(() => {
  database.db.$client.close();
  rmSync(database.dir, { recursive: true, force: true });
});

const thenRender = { keys: ['/', '/api/v2/summary.json'], liveVersion: 'test.7' };
const postUpdate = (body: unknown): RenderRequest => ({
  method: 'POST',
  url: `http://localhost/api/v1/incidents/${incidentId}/updates`,
  headers: [
    ['authorization', `Bearer ${token}`],
    ['content-type', 'application/json'],
  ],
  body: new TextEncoder().encode(JSON.stringify(body)) as Uint8Array<ArrayBuffer>,
  client: '127.0.0.1',
  now,
  thenRender,
});
const text = (body: Uint8Array) => Buffer.from(body).toString();

describe('a write that changes the public pages', () => {
  it('is answered with those pages, rendered after its commit for the version named, and compressed', async () => {
    const answer = await render(postUpdate({ status: 'identified', body: 'A payment queue is backed up.', notify: false }));
    expect(answer.status).toBe(201);
    expect(answer.pages?.map((p) => p.key)).toEqual(thenRender.keys);
    const [front, summary] = answer.pages!;
    expect(front!.page.body.toString()).toContain('A payment queue is backed up.');
    expect(front!.page.body.toString()).toContain('data-live-version="test.7"');
    expect(JSON.parse(summary!.page.body.toString()).incidents.find((i: { id: string }) => i.id === incidentId).status).toBe('identified');
    // They show the change counter the write left, which the serving thread compares with the one it has seen.
    expect(front!.counter).toBe(counter());
    expect(gunzipSync(front!.forms!.gzip).equals(front!.page.body)).toBe(true);
    expect(brotliDecompressSync(front!.forms!.br).equals(front!.page.body)).toBe(true);
  });

  it('gives a page it brought again to the cache asking for the same version while nothing has changed, and renders anew after a change', async () => {
    const answer = await render(postUpdate({ status: 'identified', body: 'Half of the queue is drained.', notify: false }));
    const brought = answer.pages![0]!.page.body.toString();
    // Asked for a day later, a new render would differ (the page names the day); this is the one the write brought.
    const later = now + 86_400_000;
    const again = text((await render(pageRequest('/', later, thenRender.liveVersion))).body);
    expect(again === brought, 'the page the write brought, given again').toBe(true);
    // Another version is rendered anew.
    expect(text((await render(pageRequest('/', later, 'test.8'))).body)).toContain('data-live-version="test.8"');
    // So is the same version once anything has changed since.
    openIncident(database.db, { name: 'Login errors', status: 'investigating', body: 'Some sign-ins fail.' }, { now });
    const afterChange = text((await render(pageRequest('/', later, thenRender.liveVersion))).body);
    expect(afterChange === brought, 'a page rendered after the change').toBe(false);
    expect(afterChange).toContain('Login errors');
  });
});

describe('a write that changes nothing public', () => {
  it('brings no pages', async () => {
    const refused = await render(postUpdate({ status: 'no such status', body: '' }));
    expect(refused.status).toBe(422);
    expect(refused.pages).toBeUndefined();
  });
});
