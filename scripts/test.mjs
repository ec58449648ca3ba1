// `npm test`: installs what is missing, then runs every suite in order and stops at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensurePrerequisitesOrExit } from './prerequisites.mjs';

const steps = [
  ['lint', ['npm', 'run', 'lint']],
  ['typecheck', ['npm', 'run', 'typecheck']],
  ['unit', ['npm', 'run', 'test:unit']],
  ['sandbox', ['npm', 'run', 'test:sandbox']],
  ['real cluster', ['npm', 'run', 'test:cluster']],
  // On the real node (its @sandbox-tagged tests on a sandbox), unless PPE_TEST_CLUSTER says otherwise.
  ['in-editor', ['npm', 'run', 'test:integration'], { PPE_TEST_CLUSTER: 'real' }],
];

function run(label, [command, ...args], defaults = {}) {
  const env = { ...defaults, ...process.env };
  const shown = Object.keys(defaults).map((name) => `${name}=${env[name]} `);
  process.stdout.write(`\n=== ${label}: ${shown.join('')}${[command, ...args].join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stdout.write(`\n=== ${label} FAILED after ${seconds} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`=== ${label} passed in ${seconds} s\n`);
}

ensurePrerequisitesOrExit();
if (!existsSync('node_modules/.package-lock.json')) {
  run('install', ['npm', 'ci']);
}
for (const [label, command, defaults] of steps) {
  run(label, command, defaults);
}
