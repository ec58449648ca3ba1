// `npm start`: the demo on a fresh clone. Installs what is missing (npm packages; Debian packages
// as root, else the exact apt-get command; Node 24), builds the extension, then hands over to
// test/host/demo.ts (on Node 24): the sandbox cluster with the task page's pod, and code-server
// with the extension loaded. Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensurePrerequisitesOrExit } from './prerequisites.mjs';
import { testNodeEnv } from './testNode.mjs';

function step(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

ensurePrerequisitesOrExit();
if (!existsSync('node_modules/.package-lock.json')) {
  step('npm', ['ci', '--no-audit', '--no-fund']);
}
step('node', ['esbuild.mjs']);

const env = testNodeEnv();
env.PATH = `${process.cwd()}/node_modules/.bin:${env.PATH}`;
const demo = spawn('tsx', ['test/host/demo.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
// The demo handles Ctrl-C itself (it stops code-server and the sandbox); wait for it to finish.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => demo.kill(signal));
}
demo.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 0)));
