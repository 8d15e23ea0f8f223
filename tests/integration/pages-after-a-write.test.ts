// The public pages a write changed are rendered straight after it
// (withPagesAfterWrites in render-request.ts): the renderer a render thread
// runs, over a real database with the real migrations and Astro's real build.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/config';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { createRenderer, pageRequest, type Render, type RenderRequest } from '../../src/server/render-request';
import { freshDatabase } from '../support/test-server';

const database = freshDatabase({ seed: true });
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

// A page names the day it was rendered on: asked for a day after the write,
// a page rendered anew differs from the one rendered straight after it.
const later = now + 86_400_000;
const asked = async (path: string, at: number, version: string) => text((await render(pageRequest(path, at, version))).body);
const withVersion = (html: string, version: string) => html.replaceAll(/data-live-version="[^"]*"/g, `data-live-version="${version}"`);

describe('a write that changes the public pages', () => {
  it('is answered alone, and those pages are rendered after its commit for the version named and given to whoever asks for them', async () => {
    const answer = await render(postUpdate({ status: 'identified', body: 'A payment queue is backed up.', notify: false }));
    expect(answer.status).toBe(201);
    const front = await asked('/', later, 'test.7');
    expect(front).toContain('A payment queue is backed up.');
    expect(front).toContain('data-live-version="test.7"');
    // Rendered with the write's clock, not the request's: the page rendered behind the write.
    expect(front === withVersion(await asked('/', now, 'test.8'), 'test.7'), 'the page rendered after the write').toBe(true);
    expect(front === withVersion(await asked('/', later, 'test.8'), 'test.7'), 'a page rendered a day later').toBe(false);
    const summary = JSON.parse(await asked('/api/v2/summary.json', later, 'test.7'));
    expect(summary.incidents.find((i: { id: string }) => i.id === incidentId).status).toBe('identified');
    // Given again to a second request: the bytes of the first one went to the serving thread.
    expect(await asked('/', later, 'test.7')).toBe(front);
  });

  it('renders anew once anything has changed since', async () => {
    await render(postUpdate({ status: 'identified', body: 'Half of the queue is drained.', notify: false }));
    const behind = await asked('/', later, 'test.7');
    expect(behind).toContain('Half of the queue is drained.');
    openIncident(database.db, { name: 'Login errors', status: 'investigating', body: 'Some sign-ins fail.' }, { now });
    const afterChange = await asked('/', later, 'test.7');
    expect(afterChange).toContain('Login errors');
  });
});

describe('a write that changes nothing public', () => {
  it('leaves the pages to be rendered when asked for', async () => {
    await render(postUpdate({ status: 'identified', body: 'The queue is empty.', notify: false }));
    const refused = await render(postUpdate({ status: 'no such status', body: '' }));
    expect(refused.status).toBe(422);
    // The pages rendered after the write before it are still the ones given.
    const front = await asked('/', later, 'test.7');
    expect(front).toContain('The queue is empty.');
    expect(front === withVersion(await asked('/', now, 'test.8'), 'test.7')).toBe(true);
  });
});
