// A real program (nginx, Alertmanager) run by a test in its own temporary
// folder: started, watched until it answers, and stopped with its folder
// removed, whatever happens in between.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

interface RunningProgram {
  /** What it printed so far, for a failing test's message. */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `command` and resolves once `ready` does; fails with what the
 * program printed if it exits first. `stopSignal` is its graceful stop
 * (nginx: SIGQUIT). `dir` is removed once it has stopped.
 */
export async function startProgram(
  name: string,
  command: string,
  args: string[],
  options: { dir: string; stopSignal?: NodeJS.Signals; ready: () => Promise<void> },
): Promise<RunningProgram> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`))));
  exited.catch(() => {});
  const stop = () =>
    new Promise<void>((done) => {
      const cleanUp = () => {
        rmSync(options.dir, { recursive: true, force: true });
        done();
      };
      if (child.exitCode !== null || child.signalCode !== null) return cleanUp();
      child.once('exit', cleanUp);
      child.kill(options.stopSignal ?? 'SIGTERM');
    });
  try {
    await Promise.race([options.ready(), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { output: () => output, stop };
}
