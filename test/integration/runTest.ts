// Runs the in-editor suite with @vscode/test-electron: in code-server through our test host by
// default (no VS Code download is possible offline), or in VS Code desktop with --desktop.
// A sandbox cluster with the task page's pod runs for the suite; the extension finds it through
// KUBECONFIG, and the tests drive it through PPE_SANDBOX_DIR (kubectl, fault switches).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startSandbox, stopSandbox } from '../sandbox';

const root = resolve(__dirname, '../..');
const desktop = process.argv.includes('--desktop');

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ppe-editor-sandbox-'));
  const cleanUp = async () => {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    // Detached: the tests restart its API (a fault they check), which must outlive that call.
    const sandbox = await startSandbox({ stateDir, seed: true, detached: true });
    const suite = (locale?: string) =>
      runTests({
        extensionDevelopmentPath: root,
        extensionTestsPath: resolve(root, 'out/test/integration/index.js'),
        launchArgs: [
          resolve(root, 'test/fixtures'),
          '--disable-extensions',
          ...(locale ? [`--locale=${locale}`] : []),
        ],
        extensionTestsEnv: {
          KUBECONFIG: sandbox.kubeconfigPath,
          PPE_SANDBOX_DIR: stateDir,
          PPE_REPO_ROOT: root,
          ...(locale ? { PPE_TEST_LOCALE: locale } : {}),
          ...(process.env.PPE_TEST_GREP ? { PPE_TEST_GREP: process.env.PPE_TEST_GREP } : {}),
        },
        ...(desktop
          ? {}
          : { vscodeExecutablePath: resolve(root, 'test/host/code-server-test-host') }),
      });
    // Both runs report, whichever fails; the run fails with the first failure.
    const failures: unknown[] = [];
    await suite().catch((error: unknown) => failures.push(error));
    if (desktop) {
      // The test language pack is installed by the code-server host only.
      process.stdout.write(
        'The Japanese suite (test/integration/locale/ja) did not run: --desktop.\n',
      );
    } else {
      // Again in an editor whose display language is Japanese: test/integration/locale/ja.
      await suite('ja').catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) {
      throw failures[0];
    }
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
