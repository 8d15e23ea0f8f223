import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startReceiver } from './http-receiver';

export const FIXTURE_PAGE_ID = 'y2j98763l56x';
export const FIXTURE_API_KEY = 'f3a1c0de-statuspage-test-key';

const folder = resolve('tests/fixtures/statuspage');
const fixture = (name: string) => readFileSync(resolve(folder, name), 'utf8');

/** The parts of a recorded document an edit may change; which of them a document has depends on the document. */
interface FixtureDocument {
  components: { name: string; description?: string | null }[];
  incidents: FixtureIncident[];
  scheduled_maintenances: FixtureIncident[];
}
interface FixtureIncident {
  id: string;
  name: string;
  incident_updates: { body: string | null }[];
}

/** Changes a recorded document (named as `v2/summary.json`, `v1/incidents.json`) before it is served. */
export type DocumentEdit = (name: string, document: FixtureDocument) => unknown;

/** How the page answers: as Statuspage does, or in one of the ways an import must refuse. */
export type FixtureMode = 'statuspage' | 'html' | 'other-json' | 'server-error' | 'huge';

/**
 * Recorded Statuspage documents served on loopback: the public v2 API under
 * /api/v2/ and the authenticated v1 API under /v1/pages/<id>/ (which wants
 * `Authorization: OAuth <key>`, as api.statuspage.io does).
 */
export async function startStatuspageFixtures() {
  const state: { mode: FixtureMode; edit?: DocumentEdit } = { mode: 'statuspage' };
  /** A recorded document, or what the current edit makes of it. */
  const served = (name: string) => (state.edit ? JSON.stringify(state.edit(name, JSON.parse(fixture(name)) as FixtureDocument)) : fixture(name));
  const receiver = await startReceiver((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const json = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
    };
    if (state.mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>Acme</title><p>Our blog</p>');
    }
    if (state.mode === 'other-json') return json(200, JSON.stringify({ status: 'ok', uptime: 99.9 }));
    if (state.mode === 'server-error') return json(503, '{"error":"unavailable"}');
    if (state.mode === 'huge') {
      // Larger than the import's bound (20 MiB), sent without a declared length.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 21; i++) res.write(chunk);
      return res.end('{}');
    }
    const v2 = url.pathname.match(/^\/api\/v2\/(summary|incidents|scheduled-maintenances)\.json$/);
    if (v2) return json(200, served(`v2/${v2[1]}.json`));
    const v1 = url.pathname.match(new RegExp(`^/v1/pages/${FIXTURE_PAGE_ID}/?(components|component-groups|incidents|subscribers)?$`));
    if (v1) {
      if (req.headers.authorization !== `OAuth ${FIXTURE_API_KEY}`) return json(401, '{"error":"Could not authenticate"}');
      const list = v1[1];
      if (!list) return json(200, served('v1/page.json'));
      // Lists are paged; everything fits on the first page.
      if ((list === 'incidents' || list === 'subscribers') && url.searchParams.get('page') !== '1') return json(200, '[]');
      return json(200, served(`v1/${list}.json`));
    }
    return json(404, '{"error":"not found"}');
  });
  return {
    url: receiver.url,
    apiBase: `${receiver.url}/v1`,
    received: receiver.received,
    setMode(mode: FixtureMode) {
      state.mode = mode;
    },
    /** Serve the recorded documents changed by `edit` (as a hostile or broken page would send them), or as recorded again. */
    setEdit(edit: DocumentEdit | undefined) {
      state.edit = edit;
    },
    close: receiver.close,
  };
}
