// The demo `npm start` runs: a cluster with the task page's nginx + shell pod (the sandbox, or
// the real node with PPE_TEST_CLUSTER=real), and code-server on loopback with the extension loaded
// and KUBECONFIG pointing at that cluster. It prints the URL to open and stops both on Ctrl-C.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chosenCluster, useRealCluster } from '../cluster/choice';
import { startSandbox, stopSandbox } from '../sandbox';
import { defaultStateDir } from '../sandbox/stateDir';
import { ensureCodeServer, freeLoopbackPort, startCodeServer, workbenchUrl } from './codeServer';

const root = resolve(__dirname, '../..');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const stateDir = defaultStateDir();
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-demo-'));
  const kind = chosenCluster();
  const clusterName = kind === 'real' ? 'the real node' : 'the sandbox';
  let stopEditor = (): void => undefined;
  let stopCluster = (): Promise<void> => Promise.resolve();
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    // Once: code-server exiting because of the stop must not cut the cluster's removal short.
    if (stopping) {
      return;
    }
    stopping = true;
    say(`\nStopping code-server and ${clusterName}…`);
    stopEditor();
    await stopCluster().catch((error: unknown) => say(`${clusterName}: ${String(error)}`));
    rmSync(scratch, { recursive: true, force: true });
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(130));
  }

  say(`Starting ${clusterName} (the task page’s nginx + shell pod)…`);
  let kubeconfigPath: string;
  if (kind === 'real') {
    const used = await useRealCluster((line) => say(`  ${line}`));
    stopCluster = used.release;
    kubeconfigPath = used.cluster.kubeconfigPath;
    say(`  API ${used.cluster.server}, kubeconfig ${kubeconfigPath}`);
  } else {
    const sandbox = await startSandbox({ stateDir, seed: true, log: (line) => say(`  ${line}`) });
    stopCluster = () => stopSandbox(stateDir);
    kubeconfigPath = sandbox.kubeconfigPath;
    say(`  API ${sandbox.url}, kubeconfig ${kubeconfigPath}`);
  }

  const bin = await ensureCodeServer(say);
  const userData = join(scratch, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.secondarySideBar.defaultVisibility': 'hidden' }),
  );
  const port = Number(process.env.PPE_PORT) || (await freeLoopbackPort());
  const server = await startCodeServer({
    bin,
    port,
    userDataDir: userData,
    extensionsDir: join(scratch, 'extensions'),
    // Lets the web client honour the URL's payload, which loads the extension from this checkout.
    smokeTestDriver: true,
    env: { KUBECONFIG: kubeconfigPath },
    onOutput: () => undefined,
  });
  stopEditor = () => server.stop();
  server.child.once('exit', (code) => {
    say(`code-server exited (${code ?? 'signal'})`);
    void stop(1);
  });
  say('');
  say('Pod Process Explorer is ready. Open this URL in a browser on this machine:');
  say('');
  say(
    `  ${workbenchUrl(server, { extensionDevelopmentPath: root, folder: join(root, 'test/fixtures/manifests') })}`,
  );
  say('');
  say(`kubectl works against the same cluster: KUBECONFIG=${kubeconfigPath} kubectl get pods`);
  say('Press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
