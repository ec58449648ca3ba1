// Runs a command (a node_modules/.bin tool or a program) with the cached Node 24 first on PATH,
// once the Debian packages and Node 24 are there (so `npm run bench` works on a fresh machine).
import { spawn } from 'node:child_process';
import { ensurePrerequisitesOrExit } from './prerequisites.mjs';
import { testNodeEnv } from './testNode.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/withTestNode.mjs <command> [args…]\n');
  process.exit(2);
}
ensurePrerequisitesOrExit();
const env = testNodeEnv();
env.PATH = `${process.cwd()}/node_modules/.bin:${env.PATH}`;
const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
