import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/chromium.js';

/**
 * The e2e suite: real server, real host processes (the app's core in plain Node, serving the built renderer),
 * driven in Chromium. The `electron` project runs the same specs against the Electron app where its binary
 * exists, and reports them skipped, with the reason, where it does not.
 */
export default defineConfig({
  testDir: './specs',
  outputDir: '../test-results/e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1, // two cores: server, two or three hosts and their browsers already share them
  retries: 0,
  reporter: [['list'], ['./support/skip-reasons-reporter.ts']],
  projects: [
    { name: 'host-chromium', use: { launchOptions: chromiumLaunchOptions() } },
    { name: 'electron', use: { launchOptions: chromiumLaunchOptions() } },
  ],
});
