// Runs the in-editor suite with @vscode/test-electron: in code-server through our test host by
// default (no VS Code download is possible offline), or in VS Code desktop with --desktop.
import { resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = resolve(__dirname, '../..');
const desktop = process.argv.includes('--desktop');

async function main(): Promise<void> {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, 'out/test/integration/index.js'),
    launchArgs: [resolve(root, 'test/fixtures'), '--disable-extensions'],
    ...(desktop ? {} : { vscodeExecutablePath: resolve(root, 'test/host/code-server-test-host') }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
