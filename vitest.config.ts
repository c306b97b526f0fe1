import { defineConfig } from 'vitest/config';

// Two projects, both run by `npm test`: unit (test/unit/, mirrors src/: parsers, normalization,
// rules, renderers on texts and samples, no process started but the odd `rules lint`) and e2e
// (test/e2e/: real compilers, debuggers, sanitizers, Valgrind and cores, the CLI as a process, the
// 2 GB scan, the README's commands). `npx vitest run --project unit` is the quick loop.
// Each project gets one private TMPDIR for its run, removed at the end (test/support/tmp-global.ts;
// it warns about what tests left behind). Set per project, not on the root: a root globalSetup
// that projects extend runs twice, nesting one TMPDIR in the other (long paths: a core's 80-byte
// command line no longer holds the program's).
const shared = { globalSetup: ['test/support/tmp-global.ts'], testTimeout: 60_000, hookTimeout: 300_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
