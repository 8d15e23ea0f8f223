// The files an operator installs from deploy/, checked by the programs that read them.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

describe('deploy/systemd/shirase.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const run = spawnSync('systemd-analyze', ['verify', 'deploy/systemd/shirase.service'], { encoding: 'utf8' });
    expect(run.error, 'systemd-analyze is not installed: apt-get install systemd (.ci/run does)').toBeUndefined();
    // Unknown or misspelt settings are only warned about, with exit status 0: the output must be empty.
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
  });
});
