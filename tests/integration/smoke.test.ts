// The shortest proof that a build runs on a given Node: start as `npm start`
// does on a new database (migrate, seed), sign in as the printed admin, write
// through a staff form, read the write on the public API, then start again on
// the same file. CI runs this file on Node 24 as well as on Node 20.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServerProcess } from '../support/server-process';
import { freePort } from '../support/test-server';
import { SHIRASE_VERSION } from '../../src/lib/version';

async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ email, password }),
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
  });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe(`the server on Node ${process.versions.node}`, () => {
  it('starts on a new database, takes a staff write that the public API shows, and starts again on the same file', async () => {
    const first = await startServerProcess();
    const databasePath = first.databasePath;
    try {
      const cookie = await signIn(first.url, 'admin@example.com', first.adminPassword);
      const opened = await fetch(`${first.url}/admin/incidents/new`, {
        method: 'POST',
        body: new URLSearchParams({ name: 'Smoke on the line', status: 'investigating', body: 'Checking the build.', impact: 'minor' }),
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: first.url, cookie },
      });
      expect(opened.status).toBe(303);
      expect(first.output()).toContain(`Shirase ${SHIRASE_VERSION}: `);
      // The version staff see, in the admin's footer.
      const dashboard = await (await fetch(`${first.url}/admin`, { headers: { cookie } })).text();
      expect(dashboard).toContain(`Shirase ${SHIRASE_VERSION}</p>`);
      const summary = (await (await fetch(`${first.url}/api/v2/incidents/unresolved.json`)).json()) as { incidents: { name: string }[] };
      expect(summary.incidents.map((i) => i.name)).toContain('Smoke on the line');
    } finally {
      await first.crash();
    }
    // Again on the same file: migrations find nothing to do, the demo is not seeded twice, the write is there.
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
      env: {
        ...process.env,
        DATABASE_PATH: databasePath,
        POSTMORTEMS_DIR: first.postmortemsDir,
        MAIL_DIR: join(dirname(databasePath), 'mail'),
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('is live at')) resolve();
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`the second start exited with ${code}:\n${output}`)));
      });
      expect(output).not.toContain('Seeded the demo');
      expect(output).not.toContain('Applied migration');
      const summary = (await (await fetch(`http://127.0.0.1:${port}/api/v2/incidents/unresolved.json`)).json()) as { incidents: { name: string }[] };
      expect(summary.incidents.map((i) => i.name)).toContain('Smoke on the line');
    } finally {
      child.kill('SIGKILL');
      rmSync(dirname(databasePath), { recursive: true, force: true });
    }
  });
});
