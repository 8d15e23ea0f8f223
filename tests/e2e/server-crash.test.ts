import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openDatabase } from '../../db/open';
import { createApiToken } from '../../src/lib/auth/create-api-token';

let server: ServerProcess;
let token: string;

test.beforeAll(async () => {
  // A server of its own: this test kills it.
  server = await startServerProcess();
  const db = openDatabase(server.databasePath);
  token = createApiToken(db, { name: 'crash test', scopes: ['incidents'] }, { now: Date.now() }).token;
  db.$client.close();
});
test.afterAll(async () => {
  await server?.stop().catch(() => undefined);
});

test.describe('the server killed during a burst of writes', () => {
  test('loses no write it acknowledged', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    // Four writers at once, as monitoring tools would be.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let n = 0; !stop; n++) {
        try {
          const res = await fetch(`${server.url}/api/v1/incidents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Burst ${w}-${n}`, body: 'Written during the crash test.' }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // The server is gone.
        }
      }
    });
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    await server.crash();
    stop = true;
    await Promise.all(writers);

    // Opening the file again is what a restart does: SQLite replays its write-ahead log.
    const db = new Database(server.databasePath, { readonly: true });
    const stored = new Set(db.prepare("select id from incidents where name like 'Burst %'").pluck().all() as string[]);
    const updates = db
      .prepare("select count(*) from incident_updates u join incidents i on i.id = u.incident_id where i.name like 'Burst %'")
      .pluck()
      .get() as number;
    db.close();
    const missing = acknowledged.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    // Nothing half-written either: every stored incident has its update.
    expect(updates).toBe(stored.size);
  });
});
