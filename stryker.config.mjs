// Mutation testing of the pure modules (issue 24), outside CI: it takes hours on two cores.
// `npm run mutation` mutates every folder below; `MUTATION_SCOPE=procfs npm run mutation` one of
// them, with only the tests that can reach it. Results accumulate in the incremental file, so
// folder runs add up to one report (reports/mutation/mutation.html). See docs/mutation.md.

// @stryker-mutator/mocha-runner 10.1.1 requires mocha's cli internals without an extension, which
// Mocha 12 renamed to .cjs, so the plugin fails to load (stryker-js PR 6205, not yet released).
// Until then a resolve hook adds the extension, here and in every process Stryker starts.
const MOCHA_12_CLI = `import { registerHooks } from 'node:module';
registerHooks({
  resolve: (specifier, context, next) =>
    next(/[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/.test(specifier) ? specifier + '.cjs' : specifier, context),
});`;
const MOCHA_12_CLI_URL = `data:text/javascript,${encodeURIComponent(MOCHA_12_CLI)}`;
await import(MOCHA_12_CLI_URL);

/**
 * The pure folders: the files mutated, and the unit test folders whose tests import them (directly
 * or through another module). Tests run in the test process only count: the language server's
 * process and the check worker threads never see the mutant under test.
 */
const SCOPES = {
  processes: { mutate: ['src/processes/**/*.ts'], tests: ['processes', 'terminal'] },
  secrets: { mutate: ['src/secrets/**/*.ts'], tests: ['secrets', 'processes', 'manifest'] },
  // The filesystem feature's pure files (the others import vscode). remoteScript.ts's shell script
  // is one string literal, so one mutant; the shell is tested by running it (rootEscape.test.ts).
  procfs: {
    mutate: [
      'src/procfs/containerFs.ts',
      'src/procfs/procfsUri.ts',
      'src/procfs/remoteOutput.ts',
      'src/procfs/remoteScript.ts',
    ],
    tests: ['procfs'],
  },
  terminal: {
    mutate: [
      'src/terminal/shellCommand.ts',
      'src/terminal/terminalSize.ts',
      'src/terminal/terminalText.ts',
    ],
    tests: ['terminal'],
  },
  manifest: {
    mutate: [
      'src/manifest/server/**/*.ts',
      // Run only in the server's process (server.test.ts starts it) or in check worker threads.
      '!src/manifest/server/server.ts',
      '!src/manifest/server/checkWorker.ts',
      '!src/manifest/server/serverL10n.ts',
    ],
    tests: ['manifest'],
  },
};

const scopeName = process.env.MUTATION_SCOPE;
if (scopeName !== undefined && !(scopeName in SCOPES)) {
  throw new Error(`MUTATION_SCOPE is one of ${Object.keys(SCOPES).join(', ')}, not ${scopeName}`);
}
const scopes = scopeName ? [SCOPES[scopeName]] : Object.values(SCOPES);
const testFolders = [...new Set(scopes.flatMap((scope) => scope.tests))];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  // The suites load TypeScript through tsx, as test/unit/.mocharc.json's node-option does.
  testRunnerNodeArgs: ['--import', 'tsx', '--import', MOCHA_12_CLI_URL],
  checkerNodeArgs: ['--import', MOCHA_12_CLI_URL],
  mochaOptions: {
    config: 'test/unit/.mocharc.json',
    spec: testFolders.map((folder) => `test/unit/${folder}/**/*.test.ts`),
  },
  mutate: scopes.flatMap((scope) => scope.mutate),
  // Not needed by the tests; node_modules, reports/ and .stryker-tmp/ are always left out.
  ignorePatterns: ['/dist', '/out', '/.vscode-test', '/.sandbox', '*.vsix'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // The filesystem and terminal tests run real shells and take seconds each on a busy machine.
  timeoutMS: 10000,
  timeoutFactor: 2,
  // The first, unmutated run of the procfs tests takes over Stryker's default 5 minutes when busy.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, allowEmojis: false, logTests: false, reportTests: false },
  // The goal is 85 % of the mutants killed in each folder; nothing fails the run.
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};
