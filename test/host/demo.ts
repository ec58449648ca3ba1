// The demo `npm start` runs: the sandbox cluster with the task page's nginx + shell pod, and
// code-server on loopback with the extension loaded and KUBECONFIG pointing at the sandbox. It
// prints the URL to open and stops both on Ctrl-C.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  let stopEditor = (): void => undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    // Once: code-server exiting because of the stop must not cut the sandbox's removal short.
    if (stopping) {
      return;
    }
    stopping = true;
    say('\nStopping code-server and the sandbox…');
    stopEditor();
    await stopSandbox(stateDir).catch((error: unknown) => say(`sandbox: ${String(error)}`));
    rmSync(scratch, { recursive: true, force: true });
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(130));
  }

  say('Starting the sandbox cluster (the task page’s nginx + shell pod)…');
  const sandbox = await startSandbox({ stateDir, seed: true, log: (line) => say(`  ${line}`) });
  say(`  API ${sandbox.url}, kubeconfig ${sandbox.kubeconfigPath}`);

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
    env: { KUBECONFIG: sandbox.kubeconfigPath },
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
  say(
    `kubectl works against the same cluster: KUBECONFIG=${sandbox.kubeconfigPath} kubectl get pods`,
  );
  say('Press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
