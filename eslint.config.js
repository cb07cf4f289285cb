import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-electron/', 'release/', 'artifacts/', 'coverage/', '.ci/.node/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The core must run under plain Node: Electron stays at the edge.
    files: ['electron/core/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'electron/core and shared/ never import electron.' }] }],
    },
  },
  {
    // Every log line of the core passes the redactor: it writes through log.ts, never the console directly.
    files: ['electron/core/**/*.ts'],
    ignores: ['electron/core/log.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Built-ins that only some work needs are reached through electron/core/lazy-builtins.ts, so a waiting serve does
    // not hold them (node:crypto alone is ~1.9 MB). Type imports cost nothing.
    files: ['electron/core/**/*.ts'],
    ignores: ['electron/core/providers/fakes/**', 'electron/core/lazy-builtins.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['node:crypto', 'node:v8', 'node:zlib', 'node:worker_threads', 'node:assert'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Load it at first use (electron/core/lazy-builtins.ts): an import keeps it resident in an idle serve.',
          })),
        },
      ],
    },
  },
  {
    // localeCompare's first call loads ICU's collation data into a serve that otherwise never needs it.
    files: ['electron/core/**/*.ts'],
    ignores: ['electron/core/providers/fakes/**'],
    rules: {
      'no-restricted-properties': ['error', { property: 'localeCompare', message: 'Sort names with compareText (electron/core/text-order.ts): localeCompare loads ICU.' }],
    },
  },
  {
    // shared/ is used by the renderer and main alike: no Node built-ins there.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron'], message: 'shared/ has no Node or Electron imports.' }] }],
    },
  },
);
