// The API process: `node --import tsx apiMain.ts --state-dir DIR --port N`. Runs until SIGTERM;
// pods stay in podman when it stops, and the next start rebuilds them from podman and DIR.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ApiServer } from './apiServer';
import { NO_FAULTS, mergeFaults, type Faults } from './faults';
import { ensureImages } from './images';
import {
  instanceId,
  prepareState,
  readJson,
  writeJson,
  writeKubeconfig,
  type ServerRecord,
} from './stateDir';
import { Store } from './store';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      attached: { type: 'boolean', default: false },
    },
  });
  const dir = values['state-dir'];
  if (!dir) {
    throw new Error('--state-dir is required');
  }
  let stopping = false;
  const prepared = await prepareState(dir);
  const { paths } = prepared;
  const images = await ensureImages(log);
  const faults: Faults = mergeFaults(NO_FAULTS, (await readJson<unknown>(paths.faults)) ?? {});
  const store = new Store(paths, instanceId(paths.dir), images);
  await store.load();
  const api = new ApiServer({
    store,
    token: prepared.token,
    cert: await readFile(paths.serverCert, 'utf8'),
    key: await readFile(paths.serverKey, 'utf8'),
    faults,
    onFaultsChanged: (next) => writeJson(paths.faults, next),
    log,
  });
  const port = await api.listen(Number(values.port));
  const url = `https://127.0.0.1:${port}`;
  await writeKubeconfig(prepared, url);
  const record: ServerRecord = { pid: process.pid, port, url };
  await writeJson(paths.server, record);
  log(`listening on ${url}`);
  // Started attached (by tests), the API ends with its parent: stdin closes when the parent dies.
  if (values.attached) {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }

  function stop(): void {
    if (stopping) {
      return;
    }
    stopping = true;
    log('stopping');
    void api
      .close()
      .then(() => store.settle())
      .finally(() => process.exit(0));
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  log(
    `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
