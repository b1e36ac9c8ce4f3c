// Lint rules, including the layering of docs/architecture.md: protocol/ imports nothing of ours; main, renderer and
// server never import each other; the renderer reaches main only through window.api (types from preload/).
// Every cross-folder import here is a relative path, so ESLint's own no-restricted-imports can enforce it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** A rule forbidding relative imports that reach into the named top-level folders. */
function forbid(folders, message, extra = []) {
  return [
    'error',
    {
      patterns: [
        { regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message },
        ...extra,
      ],
    },
  ];
}

const noNodeOrElectron = [{ regex: '^(node:|electron$)', message: 'the renderer has no Node or Electron' }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  { files: ['protocol/**'], rules: { 'no-restricted-imports': forbid(['server', 'main', 'renderer', 'preload', 'e2e', 'bench'], 'protocol/ is shared and imports nothing of ours') } },
  { files: ['server/**'], rules: { 'no-restricted-imports': forbid(['main', 'renderer', 'preload'], 'server/ talks to clients only through protocol/') } },
  { files: ['main/**'], rules: { 'no-restricted-imports': forbid(['server', 'renderer'], 'main/ never imports server/ or renderer/') } },
  { files: ['preload/**'], rules: { 'no-restricted-imports': forbid(['server', 'main', 'renderer'], 'preload/ holds the IPC contract only') } },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': forbid(['server', 'main'], 'renderer/ talks to main only through window.api', noNodeOrElectron) },
  },
  {
    // Client tests start the real server in-process; tests are never shipped, so main/ may import server/ there.
    files: ['main/**/*.test.ts', 'main/**/test-support/**'],
    rules: { 'no-restricted-imports': forbid(['renderer'], 'main/ never imports renderer/') },
  },
  {
    files: ['bench/**', 'e2e/**', '**/cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
