// Lint rules, including the layering of ARCHITECTURE.md: protocol/ imports nothing of ours; main, renderer and
// server never import each other; the renderer takes only types from protocol/ and preload/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

const zones = [
  { target: './protocol', from: ['./server', './main', './renderer', './preload', './e2e', './bench'], message: 'protocol/ is shared and imports nothing of ours' },
  { target: './server', from: ['./main', './renderer', './preload'], message: 'server/ talks to clients only through protocol/' },
  { target: './main', from: ['./server', './renderer'], message: 'main/ never imports server/ or renderer/' },
  { target: './renderer', from: ['./server', './main'], message: 'renderer/ talks to main only through window.api' },
  { target: './preload', from: ['./server', './main', './renderer'], message: 'preload/ holds the IPC contract only' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Client tests start the real server in-process; tests are never shipped, so main/ may import server/ there.
    files: ['main/**/*.test.ts', 'main/**/test-support/**', 'e2e/**', 'bench/**'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: zones.filter((z) => z.target !== './main') }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron'], message: 'the renderer has no Node or Electron' }] }] },
  },
  {
    files: ['bench/**', 'e2e/**', '**/cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
