import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
