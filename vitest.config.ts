import { defineConfig } from 'vitest/config';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const src = (dir: string, file = 'index') => fileURLToPath(new URL(`./${dir}/src/${file}.ts`, import.meta.url));

// Tests import sibling packages by name; point those names at the sources so a test never runs
// against a stale build. Tests that spawn the `nmaas` CLI use dist/, which `npm test` builds first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@nmaas\/sdk$/, replacement: src('sdk') },
      { find: /^@nmaas\/sdk\/testing$/, replacement: src('sdk', 'testing/index') },
      { find: /^@nmaas\/sdk\/kit$/, replacement: src('sdk', 'kit/index') },
      { find: /^@nmaas\/sdk\/commands$/, replacement: src('sdk', 'commands') },
      { find: /^@nmaas\/sdk\/contract$/, replacement: src('sdk', 'contract') },
      { find: /^@nmaas\/sdk\/model$/, replacement: src('sdk', 'model/index') },
      { find: /^@nmaas\/sdk\/runtime$/, replacement: src('sdk', 'runtime/index') },
      { find: /^@nmaas\/image$/, replacement: src('image') },
      { find: /^@nmaas\/image\/testing$/, replacement: src('image', 'testing/index') },
      { find: /^@nmaas\/charts-gen$/, replacement: src('charts-gen') },
      { find: /^@nmaas\/validator$/, replacement: src('validator') },
      { find: /^@nmaas\/validator\/testing$/, replacement: src('validator', 'testing/index') },
      { find: /^@nmaas\/catalogue$/, replacement: src('catalogue') },
      { find: /^@nmaas\/catalogue\/commands$/, replacement: src('catalogue', 'cli') },
      { find: /^@nmaas\/scheduler$/, replacement: src('scheduler') },
      { find: /^@nmaas\/policy$/, replacement: src('policy') },
    ],
  },
  test: {
    include: ['**/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.catalogue/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most test files spend their time waiting on child processes (helm, npm, registries, runc,
    // reference tools) or on the clock, so two run side by side even on 2 cores, where vitest's
    // default (cores − 1) would run one at a time: the whole suite there takes about 11 minutes
    // instead of 18. `--maxWorkers=1` runs them one by one.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A temp directory per run; the run fails if a test leaves an nmaas-* folder in it.
    globalSetup: ['./vitest.global-setup.ts'],
  },
});
