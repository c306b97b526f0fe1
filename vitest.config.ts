import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One private TMPDIR per run, removed at the end; warns about what tests left behind.
    globalSetup: ['test/support/tmp-global.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
