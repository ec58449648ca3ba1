// Runs the in-editor suite with @vscode/test-electron: in code-server through our test host by
// default (no VS Code download is possible offline), or in VS Code desktop with --desktop.
// PPE_TEST_CLUSTER picks the cluster (test/cluster/choice.ts):
// - sandbox (default): every test against a sandbox with the task page's pod;
// - real: every test against the real node (test/cluster), then the tests tagged @sandbox (those
//   needing its fault switches or API restarts) against a sandbox, in a second run.
// The extension finds the cluster through KUBECONFIG; the tests drive it through kubectl and, on
// the sandbox, PPE_SANDBOX_DIR (its CLI's fault switches). On the sandbox the suites of another
// display language (test/integration/locale/ja) run too, in an editor started in that language.
// PPE_TEST_GREP runs only the matching tests (a targeted run on a loaded machine).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { chosenCluster, useRealCluster } from '../cluster/choice';
import { startSandbox, stopSandbox } from '../sandbox';
import { SANDBOX_ONLY } from './sandboxControl';

const root = resolve(__dirname, '../..');
const desktop = process.argv.includes('--desktop');
const cleanUps: (() => Promise<void>)[] = [];

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function runSuite(env: Record<string, string>, locale?: string): Promise<void> {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, 'out/test/integration/index.js'),
    launchArgs: [
      resolve(root, 'test/fixtures'),
      '--disable-extensions',
      ...(locale ? [`--locale=${locale}`] : []),
    ],
    extensionTestsEnv: {
      ...env,
      PPE_REPO_ROOT: root,
      ...(locale ? { PPE_TEST_LOCALE: locale } : {}),
    },
    ...(desktop ? {} : { vscodeExecutablePath: resolve(root, 'test/host/code-server-test-host') }),
  });
}

/** The suite (or the part `grep` picks) against a sandbox of its own. */
async function onSandbox(grep?: string): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ppe-editor-sandbox-'));
  const cleanUp = async () => {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  cleanUps.push(cleanUp);
  try {
    // Detached: the tests restart its API (a fault they check), which must outlive that call.
    const sandbox = await startSandbox({ stateDir, seed: true, detached: true });
    const env = {
      KUBECONFIG: sandbox.kubeconfigPath,
      PPE_TEST_CLUSTER: 'sandbox',
      PPE_SANDBOX_DIR: stateDir,
    };
    // Both runs report, whichever fails; the part fails with the first failure.
    const failures: unknown[] = [];
    await runSuite({ ...env, ...(grep ? { PPE_TEST_GREP: grep } : {}) }).catch((error: unknown) =>
      failures.push(error),
    );
    if (desktop) {
      // The test language pack is installed by the code-server host only.
      say('The Japanese suite (test/integration/locale/ja) did not run: --desktop.');
    } else {
      await runSuite(env, 'ja').catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) {
      throw failures[0];
    }
  } finally {
    cleanUps.splice(cleanUps.indexOf(cleanUp), 1);
    await cleanUp();
  }
}

async function onRealNode(): Promise<void> {
  const used = await useRealCluster((line) => say(`cluster: ${line}`));
  cleanUps.push(used.release);
  let realFailure: unknown;
  try {
    await runSuite({
      KUBECONFIG: used.cluster.kubeconfigPath,
      PPE_TEST_CLUSTER: 'real',
      PPE_TEST_GREP: SANDBOX_ONLY,
      PPE_TEST_GREP_INVERT: '1',
    });
  } catch (error) {
    // Reported after the sandbox's part has run too, so one run shows every failure.
    realFailure = error;
  } finally {
    cleanUps.splice(cleanUps.indexOf(used.release), 1);
    await used.release();
  }
  say(`\nThe tests tagged ${SANDBOX_ONLY} (fault switches, API restarts) run on a sandbox:`);
  await onSandbox(SANDBOX_ONLY);
  if (realFailure !== undefined) {
    const message = realFailure instanceof Error ? realFailure.message : 'failed';
    throw new Error(`on the real node: ${message}`);
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      void Promise.allSettled(cleanUps.map((cleanUp) => cleanUp())).finally(() =>
        process.exit(130),
      );
    });
  }
  if (chosenCluster() === 'real') {
    await onRealNode();
  } else {
    await onSandbox(process.env.PPE_TEST_GREP);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
