// ESLint flat config. Besides TypeScript, Vue and Prettier, it enforces the process layers
// of ARCHITECTURE.md / STYLE.md, so a wrong-way import fails `npm test`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { fileNameCase } from './tools/eslint-file-name-case.js';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Files allowed to import `electron`: the Electron composition root and its small adapters. */
const ELECTRON_ADAPTERS = [
  'src/main/index.ts',
  'src/main/host/electron/**',
  'src/main/ipc/electron-ipc.ts',
  'src/main/settings/electron-store-backend.ts',
  'src/preload/**',
];
/** The one IPC wrapper on each side. */
const IPC_WRAPPERS = ['src/main/ipc/electron-ipc.ts', 'src/preload/index.ts'];

const noElectron = {
  name: 'electron',
  message: 'Only the Electron composition root and adapters import electron (ARCHITECTURE.md).',
};
const noRawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message:
    'Register IPC through src/main/ipc/electron-ipc.ts (main) or the preload wrapper; never raw ipcMain/ipcRenderer.',
};
/** Nothing leaves the machine (README, Privacy): no crash uploads, no update checks. */
const noPhoningHome = {
  name: 'electron',
  importNames: ['crashReporter', 'autoUpdater'],
  message: 'Earshot sends nothing: no crash reporter, no auto-updater (README, Privacy).',
};
/** The one file that loads ONNX Runtime turns its telemetry off first (src/main/worker/models/onnx-runtime-env.ts). */
const MODEL_LOADER = 'src/main/worker/models/model-loader.ts';
const noOnnxRuntime = {
  name: 'onnxruntime-node',
  allowTypeImports: true,
  message: `Load ONNX Runtime only through onnxRuntime() in ${MODEL_LOADER}, which turns its telemetry off first.`,
};
const nodeBuiltins = (message) => ({ group: NODE_BUILTINS, message });
const restrict = (paths, patterns = []) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    plugins: { earshot: { rules: { 'file-name-case': fileNameCase } } },
    rules: {
      'earshot/file-name-case': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'Use named exports (default exports only in .vue files and tool configs).',
        },
      ],
      'no-restricted-imports': restrict([noElectron, noOnnxRuntime]),
    },
  },
  { files: [MODEL_LOADER], rules: { 'no-restricted-imports': restrict([noElectron]) } },
  // Layer rules, from most general to most specific (later blocks override earlier ones).
  { files: ELECTRON_ADAPTERS, rules: { 'no-restricted-imports': restrict([noRawIpc, noPhoningHome, noOnnxRuntime]) } },
  { files: IPC_WRAPPERS, rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': restrict(
        [noElectron],
        [
          nodeBuiltins('src/shared runs in every process, the renderer included: no Node built-ins.'),
          {
            group: ['**/main/**', '**/preload/**', '**/renderer/**'],
            message: 'src/shared imports nothing from other layers.',
          },
        ],
      ),
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict(
        [noElectron],
        [
          nodeBuiltins('The renderer is a sandboxed web page: no Node built-ins.'),
          {
            group: ['**/main/**', '**/preload/**'],
            message: 'The renderer imports only src/shared (and talks to main through its bridge).',
          },
          { group: ['**/bridge', '**/bridge/*'], message: 'Only Pinia stores call the bridge (STYLE.md).' },
        ],
      ),
    },
  },
  {
    files: ['src/renderer/stores/**', 'src/renderer/main.ts', 'src/renderer/bridge/**'],
    rules: {
      'no-restricted-imports': restrict(
        [noElectron],
        [
          nodeBuiltins('The renderer is a sandboxed web page: no Node built-ins.'),
          { group: ['**/main/**', '**/preload/**'], message: 'The renderer imports only src/shared.' },
        ],
      ),
    },
  },
  {
    // Tool entry points that the tools load by default export.
    files: ['*.config.ts', '*.config.js', 'tests/support/summary-reporter.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  { files: ['scripts/**', 'tools/**'], languageOptions: { globals: { ...globals.node } } },
  prettier,
);
