// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const NO_TESTS = { group: ['**/test/**'], message: 'Shipped code does not import tests.' };
const CLIENT_NODE_TYPES_ONLY = {
  name: '@kubernetes/client-node',
  allowTypeImports: true,
  message: 'Only src/cluster loads the client (a bundle of its own, loaded lazily).',
};
const CLUSTER_TYPES_ONLY = {
  group: ['**/cluster', '**/cluster/*'],
  allowTypeImports: true,
  message: 'Load the cluster layer through src/common/clusterLayer.ts; import its types only.',
};
const LANGUAGE_CLIENT_TYPES_ONLY = ['vscode-languageclient', 'vscode-languageclient/node'].map(
  (name) => ({
    name,
    allowTypeImports: true,
    message: 'Only src/manifest/client.ts (its own bundle, loaded once a manifest is open).',
  }),
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      '.vscode-test/',
      'test/fixtures/',
      // StrykerJS's sandboxes and reports (npm run mutation).
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      curly: 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The shipped extension logs through a LogOutputChannel, the server through its connection.
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  // Layering, fenced here (each block below owns the whole rule for its files; a later block
  // would replace an earlier one's options):
  // - src/cluster talks to Kubernetes and knows no view: no vscode, no feature folder;
  // - src/processes, src/secrets and the language server are pure: no vscode, no cluster;
  // - everything else in src/ may only import the cluster layer's and the language client's
  //   types: their code loads lazily (src/common/lazyBundle.ts);
  // - nothing in src/ imports from test/.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [CLIENT_NODE_TYPES_ONLY, ...LANGUAGE_CLIENT_TYPES_ONLY],
          patterns: [CLUSTER_TYPES_ONLY, NO_TESTS],
        },
      ],
    },
  },
  {
    // The language client's own bundle, loaded once a manifest is open.
    files: ['src/manifest/client.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [CLIENT_NODE_TYPES_ONLY], patterns: [CLUSTER_TYPES_ONLY, NO_TESTS] },
      ],
    },
  },
  {
    files: ['src/cluster/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The cluster layer knows no view.' }],
          patterns: [
            {
              group: ['**/common/*', '**/tree/*', '**/terminal/*', '**/procfs/*', '**/manifest/*'],
              message: 'The cluster layer knows no view.',
            },
            NO_TESTS,
          ],
        },
      ],
    },
  },
  {
    files: ['src/processes/**/*.ts', 'src/manifest/server/**/*.ts', 'src/secrets/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'Pure code: it runs and is tested without VS Code.' },
            {
              name: '@kubernetes/client-node',
              message: 'Pure code: plain data in, plain data out.',
            },
          ],
          patterns: [
            {
              group: ['**/cluster', '**/cluster/*', '**/common/*', '**/tree/*'],
              message: 'Pure code: plain data in, plain data out.',
            },
            NO_TESTS,
          ],
        },
      ],
    },
  },
  {
    // Unit and sandbox tests run in plain Node.
    files: ['test/unit/**/*.ts', 'test/sandbox/**/*.ts', 'test/bench/**/*.ts'],
    // The scale bench's in-editor half runs in the extension host.
    ignores: ['test/bench/scale/scaleBench.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'This code runs outside VS Code.' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
);
