import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Oracle tests wait for real programs to exit (test/helpers/oracle.ts); these limits only stop a
    // hang, so a loaded machine is slow, not failing. Nothing in a test waits on a clock.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // CI also writes a machine-readable report that .ci/run counts from.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'tmp/vitest-results.json' }]] : ['default'],
  },
});
