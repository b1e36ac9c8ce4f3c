// The cluster test (npm run test:cluster, scripts/test-cluster.ts): one file, started nodes and nginx, kept out
// of npm run test:unit by the main configuration.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['server/cluster-test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
