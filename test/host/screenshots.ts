// Takes the README's screenshots in the real editor: code-server with the extension loaded in
// development mode, a fixture manifest open, its diagnostics and a hover; and the Pod Processes
// tree with the task page's pod (from a sandbox cluster) expanded down to its processes.
// Run: npm run screenshots (writes media/screenshots/*.png).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startSandbox, stopSandbox } from '../sandbox';
import {
  ensureCodeServer,
  freeLoopbackPort,
  launchChromium,
  startCodeServer,
  workbenchUrl,
} from './codeServer';

const root = resolve(__dirname, '../..');
const output = join(root, 'media', 'screenshots');

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
  await page.waitForSelector(`.tab[data-resource-name="${name}"]`);
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-screenshots-'));
  const sandboxDir = join(scratch, 'sandbox');
  const sandbox = await startSandbox({ stateDir: sandboxDir, seed: true });
  // The Chat side bar opens by default and has nothing to do with this extension.
  mkdirSync(join(scratch, 'user-data', 'User'), { recursive: true });
  writeFileSync(
    join(scratch, 'user-data', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
    }),
  );
  const server = await startCodeServer({
    bin: await ensureCodeServer((line) => process.stdout.write(`${line}\n`)),
    port: await freeLoopbackPort(),
    userDataDir: join(scratch, 'user-data'),
    extensionsDir: join(scratch, 'extensions'),
    smokeTestDriver: true,
    env: { KUBECONFIG: sandbox.kubeconfigPath },
    onOutput: () => undefined,
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(
      workbenchUrl(server, {
        extensionDevelopmentPath: root,
        folder: join(root, 'test/fixtures/manifests'),
      }),
    );
    await page.waitForSelector('.monaco-workbench');
    await page.waitForTimeout(3000);
    mkdirSync(output, { recursive: true });

    await openFile(page, 'pod-shared.yaml');
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(output, 'diagnostics.png') });

    await page.keyboard.press('Control+Shift+M');
    const key = page.locator('.view-line span', { hasText: 'shareProcessNamespace' }).first();
    await key.hover();
    await page.waitForSelector('.monaco-hover-content');
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'hover.png') });

    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'View: Hide Panel');
    // The folder's own section would take the room the tree needs; a wider side bar shows more.
    await page.locator('.pane-header', { hasText: 'manifests' }).first().click();
    // The sash between the side bar and the editor, where the 1280×760 window puts it.
    await page.mouse.move(349, 383);
    await page.mouse.down();
    await page.mouse.move(820, 383, { steps: 8 });
    await page.mouse.up();
    await runCommand(page, 'Explorer: Focus on Pod Processes View');
    const tree = page.locator('.pane', { hasText: 'Pod Processes' });
    await tree
      .locator('.monaco-list-row', { hasText: /^nginx/ })
      .first()
      .click();
    await tree.locator('.monaco-list-row', { hasText: 'nginx: worker process' }).first().waitFor();
    await tree.locator('.monaco-list-row', { hasText: 'busybox' }).first().waitFor();
    await tree
      .locator('.monaco-list-row', { hasText: /^\d+\s+sh/ })
      .first()
      .waitFor();
    await page.mouse.move(1100, 700);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'tree.png') });
  } finally {
    await browser.close();
    server.stop();
    await stopSandbox(sandboxDir);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
