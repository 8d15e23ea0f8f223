import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two files at a time on the 2-core machine: integration files spend much of
    // their time waiting on sockets, timers and child processes, so the second
    // worker fills the first one's waits (the integration tier: 430 s with one
    // worker, 260 s with two).
    maxWorkers: 2,
    minWorkers: 1,
    // Files share their worker's process, modules and all, instead of each loading the
    // server afresh (the integration tier: 260 s isolated, about 140 s shared). So a
    // file must close what it starts and put back what it changes in process.env.
    isolate: false,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/build-once.ts', 'tests/support/template-databases.ts', 'tests/support/programs.ts'],
          // Passwords hashed cheaply: a few hundred sign-ins at the real cost are minutes (see src/lib/auth/password.ts).
          env: { SHIRASE_TEST_SCRYPT_N: '16' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
