// The in-editor tests' handle on the cluster runTest.ts started: kubectl as an independent client,
// and the sandbox's own CLI for its fault switches. Both are separate processes: the tests never
// share code or state with the extension under test.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with npm run test:integration`);
  }
  return value;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: 90_000, cwd: required('PPE_REPO_ROOT') },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/**
 * In the title of a test that needs the sandbox (fault switches, API restarts): with
 * PPE_TEST_CLUSTER=real, runTest.ts runs those on a sandbox and the rest on the real node.
 */
export const SANDBOX_ONLY = '@sandbox';

/** Whether this run's cluster is the sandbox (else the real node). */
export function onSandbox(): boolean {
  return process.env.PPE_TEST_CLUSTER !== 'real';
}

export function kubectl(...args: string[]): Promise<string> {
  const kubeconfig = required('KUBECONFIG');
  return run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], {
    ...process.env,
    KUBECONFIG: kubeconfig,
  });
}

/** `npm run sandbox -- <args>` against the suite's sandbox (faults, restart). */
export function sandboxCli(...args: string[]): Promise<string> {
  if (!onSandbox()) {
    throw new Error(`this test needs the sandbox: put ${SANDBOX_ONLY} in its title`);
  }
  const root = required('PPE_REPO_ROOT');
  return run(process.execPath, ['--import', 'tsx', join(root, 'test/sandbox/cli.ts'), ...args], {
    ...process.env,
    PPE_SANDBOX_DIR: required('PPE_SANDBOX_DIR'),
  });
}
