// Lint rules, including the layering of docs/architecture.md: protocol/ imports nothing of ours and nothing of
// Node, Electron or React; main, renderer and server never import each other; the renderer reaches main only
// through window.api (types from preload/api-types), takes from protocol/ only pure.ts (the rest builds validators with
// `new Function`, which its CSP forbids) and has no Node; `electron` is imported only by the Electron
// layer (main/src/electron) and preload. Every cross-folder import here is a relative path, so ESLint's own
// no-restricted-imports can enforce it. scripts/lint-fence.test.ts proves each fence holds.
import { builtinModules } from 'node:module';
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

/** Node's built-in modules, with or without `node:` (`fs`, `node:fs`, `fs/promises`). */
const NODE_BUILTINS = `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/]/g, '\\/')).join('|')})(/.*)?)$`;
const ELECTRON = '^(electron|electron-updater|@electron/.*)$';

const rendererLimits = [
  { regex: NODE_BUILTINS, message: 'the renderer has no Node' },
  { regex: ELECTRON, message: 'the renderer has no Electron' },
  // window.api's types (and the isApiError guard) come from api-types; the rest of preload/ is main's side.
  { regex: '^(\\.\\./)+preload/(?!api-types(\\.js)?$)', message: 'the renderer imports preload/api-types only' },
  // protocol/index and validate compile TypeBox validators with `new Function`: the renderer's CSP has no 'unsafe-eval'.
  { regex: '^(\\.\\./)+protocol(/(?!pure(\\.js)?$)|$)', message: 'the renderer imports protocol/pure only (no compiled validators under its CSP)' },
];
const noElectron = [{ regex: ELECTRON, message: 'electron is imported only in main/src/electron and preload/' }];

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
  {
    files: ['protocol/**'],
    rules: {
      'no-restricted-imports': forbid(['server', 'main', 'renderer', 'preload', 'e2e', 'bench'], 'protocol/ is shared and imports nothing of ours', [
        { regex: NODE_BUILTINS, message: 'protocol/ runs in the renderer too: no Node' },
        { regex: '^(react|react-dom)(/.*)?$', message: 'protocol/ holds no UI' },
        ...noElectron,
      ]),
    },
  },
  { files: ['server/**'], rules: { 'no-restricted-imports': forbid(['main', 'renderer', 'preload'], 'server/ talks to clients only through protocol/', noElectron) } },
  { files: ['main/**'], rules: { 'no-restricted-imports': forbid(['server', 'renderer'], 'main/ never imports server/ or renderer/', noElectron) } },
  { files: ['main/src/electron/**'], rules: { 'no-restricted-imports': forbid(['server', 'renderer'], 'main/ never imports server/ or renderer/') } },
  { files: ['preload/**'], rules: { 'no-restricted-imports': forbid(['server', 'main', 'renderer'], 'preload/ holds the IPC contract only') } },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': forbid(['server', 'main'], 'renderer/ talks to main only through window.api', rendererLimits) },
  },
  {
    // Client tests start the real server in-process; tests are never shipped, so main/ may import server/ there.
    files: ['main/**/*.test.ts', 'main/**/test-support/**'],
    ignores: ['main/src/electron/**'],
    rules: { 'no-restricted-imports': forbid(['renderer'], 'main/ never imports renderer/', noElectron) },
  },
  {
    files: ['bench/**', 'e2e/**', '**/cli.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
