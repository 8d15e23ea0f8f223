import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-server';

export interface ServerProcess {
  url: string;
  pid: number;
  /** The demo admin's password, as `npm start` prints it once. */
  adminPassword: string;
  databasePath: string;
  postmortemsDir: string;
  /** Where mail is written as .eml files when no SMTP_URL is given. */
  mailDir: string;
  output: () => string;
  /** Kills the process at once (SIGKILL), as a crash would, leaving its files in place. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the real server the way `npm start` does, on a fresh database and a free port. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'shirase-e2e-'));
  const databasePath = join(dir, 'shirase.db');
  // Postmortems are files: give each server its own copy so tests never write into the repository.
  const postmortemsDir = join(dir, 'postmortems');
  cpSync('content/postmortems', postmortemsDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    env: {
      ...process.env,
      DATABASE_PATH: databasePath,
      POSTMORTEMS_DIR: postmortemsDir,
      MAIL_DIR: join(dir, 'mail'),
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const live = /is live at (http:\/\/\S+?) /.exec(output);
      const passwordFile = /with the password in (\S+) /.exec(output);
      const password = passwordFile && [passwordFile[0], readFileSync(passwordFile[1]!, 'utf8').split('\n')[1]!];
      if (live && password) {
        resolve({
          url: live[1]!,
          pid: child.pid!,
          adminPassword: password[1]!,
          databasePath,
          postmortemsDir,
          mailDir: join(dir, 'mail'),
          output: () => output,
          crash: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
          stop: () =>
            new Promise((done) => {
              const cleanUp = () => {
                rmSync(dir, { recursive: true, force: true });
                done();
              };
              if (child.exitCode !== null || child.signalCode !== null) return cleanUp();
              child.once('exit', cleanUp);
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}
