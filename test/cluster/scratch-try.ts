import { statePaths } from './layout';
import { nodeImages, saveImages, importImages } from './images';
import { writeConfigs } from './configs';
import { ensurePki } from './pki';
import { startProcess, waitUntil } from './processes';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
async function main() {
  const paths = statePaths('/tmp/ppe-scratch/state');
  mkdirSync(paths.logs, { recursive: true });
  const pki = await ensurePki(paths);
  await writeConfigs(paths, pki);
  const saved = await saveImages(paths, await nodeImages(console.log));
  const reg = startProcess(
    'registry',
    process.execPath,
    [
      '--import',
      'tsx',
      join(__dirname, 'registry.ts'),
      '15000',
      ...saved.map(({ image, layout }) => `${image.repository}=${layout}`),
    ],
    join(paths.logs, 'registry.log'),
  );
  const ctd = startProcess(
    'containerd',
    'containerd',
    ['--config', paths.containerdConfig],
    join(paths.logs, 'containerd.log'),
  );
  console.log(reg, ctd);
  await waitUntil(
    () => {
      try {
        execFileSync('ctr', ['--address', paths.containerdSocket, 'version']);
        return true;
      } catch {
        return undefined;
      }
    },
    30000,
    () => 'ctd',
  );
  await importImages(paths.containerdSocket, saved);
  console.log(
    execFileSync('ctr', [
      '--address',
      paths.containerdSocket,
      '-n',
      'k8s.io',
      'images',
      'ls',
      '-q',
    ]).toString(),
  );
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
