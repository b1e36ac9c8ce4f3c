import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    // The cluster test needs PostgreSQL, NATS and nginx and has a runner of its own: npm run test:cluster.
    exclude: [...configDefaults.exclude, 'server/cluster-test/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
