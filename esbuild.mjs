// Bundles the extension and the language server into dist/, and the in-editor tests into out/.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // The floor of engines.vscode (1.105) runs its extension host on Node 22.19.
  target: 'node22',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const contexts = [
  await esbuild.context({
    ...common,
    entryPoints: {
      extension: 'src/extension.ts',
      server: 'src/manifest/server/server.ts',
      // The server's check workers (checkWorkers.ts), started beside it for large files.
      checkWorker: 'src/manifest/server/checkWorker.ts',
      // Loaded on first use (src/common/lazyBundle.ts), so activation does not pay for them:
      // client-node when the view is shown or a command runs, the language client once a
      // manifest is open.
      cluster: 'src/cluster/index.ts',
      manifestClient: 'src/manifest/client.ts',
    },
    outdir: 'dist',
  }),
];

if (!production) {
  const suites = readdirSync('test/integration', { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join('test/integration', name));
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: ['test/integration/index.ts', ...suites],
      // Resolved from node_modules at run time, so every suite shares the one mocha instance.
      external: ['vscode', 'mocha'],
      outdir: 'out/test/integration',
      outbase: 'test/integration',
      sourcemap: 'inline',
      minify: false,
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}
