// npm run sandbox -- up|down|restart|faults|status [switches]   (see README.md)
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Faults } from './faults';
import { connectSandbox, startSandbox, stopSandbox } from './index';
import { defaultStateDir } from './stateDir';

const USAGE = `usage: npm run sandbox -- <command> [options]

commands:
  up        start the sandbox (API + the seed pod), print the kubeconfig path
  down      stop the API and remove every pod the sandbox made
  restart   restart the API process; pods keep running
            (--down-seconds N: leave it stopped for N seconds first, an outage)
  faults    change fault/scale switches of the running sandbox
  status    show the running sandbox
  streams   print the exec and attach requests per pod since the API started (JSON)

options (up, faults):
  --port N                    loopback port (up; default: the running sandbox's, else a free one)
  --empty                     do not create the seed pod (up)
  --forbid-exec               answer exec/attach with 403 Forbidden (--allow-exec: stop)
  --forbid RESOURCE           forbid a resource for every verb, e.g. pods/ephemeralcontainers (repeatable)
  --missing RESOURCE          serve 404 for a resource, e.g. pods/ephemeralcontainers (repeatable)
  --drop-exec-after-bytes N   cut exec/attach streams after N output bytes (0: off)
  --drop-exec-after-stdin-bytes N
                              cut exec streams once the client sent N stdin bytes (0: off)
  --delay-ms N                delay every API response by N ms
  --synthetic-pods N          serve N status-only pods in namespace "synthetic" (max 20000)
  --synthetic-namespaces N    spread them over N namespaces synthetic-000… (max 200)
  --synthetic-churn N         modify N synthetic pods per second, round-robin (0: off)

The state dir is .sandbox/ in the checkout, or $PPE_SANDBOX_DIR.`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`--${name} needs a whole number, got ${value}`);
  }
  return parsed;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      empty: { type: 'boolean', default: false },
      'forbid-exec': { type: 'boolean' },
      'allow-exec': { type: 'boolean' },
      forbid: { type: 'string', multiple: true },
      missing: { type: 'string', multiple: true },
      'drop-exec-after-bytes': { type: 'string' },
      'drop-exec-after-stdin-bytes': { type: 'string' },
      'delay-ms': { type: 'string' },
      'synthetic-pods': { type: 'string' },
      'synthetic-namespaces': { type: 'string' },
      'down-seconds': { type: 'string' },
      'synthetic-churn': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const faults: Partial<Faults> = {};
  if (values['forbid-exec'] || values['allow-exec']) {
    faults.forbidExec = values['forbid-exec'] === true;
  }
  if (values.forbid) {
    // `--forbid ''` clears the list.
    faults.forbiddenResources = values.forbid.filter(Boolean);
  }
  if (values.missing) {
    // `--missing ''` clears the list.
    faults.missingResources = values.missing.filter(Boolean);
  }
  const drop = number(values['drop-exec-after-bytes'], 'drop-exec-after-bytes');
  const dropStdin = number(values['drop-exec-after-stdin-bytes'], 'drop-exec-after-stdin-bytes');
  const delay = number(values['delay-ms'], 'delay-ms');
  const synthetic = number(values['synthetic-pods'], 'synthetic-pods');
  const spread = number(values['synthetic-namespaces'], 'synthetic-namespaces');
  const churn = number(values['synthetic-churn'], 'synthetic-churn');
  if (drop !== undefined) {
    faults.dropExecAfterBytes = drop;
  }
  if (dropStdin !== undefined) {
    faults.dropExecAfterStdinBytes = dropStdin;
  }
  if (delay !== undefined) {
    faults.delayMs = delay;
  }
  if (synthetic !== undefined) {
    faults.syntheticPods = synthetic;
  }
  if (spread !== undefined) {
    faults.syntheticNamespaces = spread;
  }
  if (churn !== undefined) {
    faults.syntheticChurnPerSecond = churn;
  }
  const dir = defaultStateDir();
  const log = (line: string) => process.stderr.write(`sandbox: ${line}\n`);

  switch (command) {
    case 'up': {
      const started = Date.now();
      const sandbox = await startSandbox({
        stateDir: dir,
        port: number(values.port, 'port'),
        faults,
        seed: !values.empty,
        detached: true,
        log,
      });
      process.stdout.write(
        `sandbox up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${sandbox.url} (pid ${sandbox.pid})\n` +
          `kubeconfig: ${sandbox.kubeconfigPath}\n` +
          `try: KUBECONFIG=${sandbox.kubeconfigPath} kubectl get pods\n`,
      );
      return 0;
    }
    case 'down':
      await stopSandbox(dir);
      process.stdout.write('sandbox down\n');
      return 0;
    case 'restart':
    case 'faults':
    case 'status':
    case 'streams':
      return running(command, dir, faults, number(values['down-seconds'], 'down-seconds') ?? 0);
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}

/** Commands that talk to the sandbox already running in `dir`. */
async function running(
  command: string,
  dir: string,
  faults: Partial<Faults>,
  downSeconds: number,
): Promise<number> {
  const sandbox = await connectSandbox(dir);
  if (!sandbox) {
    process.stderr.write('the sandbox is not running (npm run sandbox -- up)\n');
    return 1;
  }
  if (command === 'streams') {
    process.stdout.write(
      `${JSON.stringify((await sandbox.call('GET', '/sandbox/streams')).body)}\n`,
    );
  } else if (command === 'faults') {
    process.stdout.write(`${JSON.stringify(await sandbox.setFaults(faults))}\n`);
  } else if (command === 'restart') {
    if (downSeconds > 0) {
      await sandbox.stopApi();
      process.stdout.write(`sandbox API stopped for ${downSeconds} s\n`);
      // The outage itself: clients see connection refused meanwhile.
      await sleep(downSeconds * 1000);
    }
    await sandbox.restartApi();
    process.stdout.write(`sandbox API restarted on ${sandbox.url} (pid ${sandbox.pid})\n`);
  } else {
    const pods = (await sandbox.call('GET', '/api/v1/pods')).body as {
      items: { metadata: { namespace: string; name: string }; status: { phase: string } }[];
    };
    process.stdout.write(
      `${sandbox.url} (pid ${sandbox.pid}), kubeconfig ${sandbox.kubeconfigPath}\n`,
    );
    for (const pod of pods.items) {
      process.stdout.write(`${pod.metadata.namespace}/${pod.metadata.name} ${pod.status.phase}\n`);
    }
    const current = await sandbox.call('GET', '/sandbox/faults');
    process.stdout.write(`faults: ${JSON.stringify(current.body)}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
