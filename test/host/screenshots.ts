// Takes the README's screenshots in the real editor: code-server with the extension loaded in
// development mode, a fixture manifest open, its diagnostics and a hover.
// Run: npm run screenshots (writes media/screenshots/*.png).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
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

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-screenshots-'));
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
  } finally {
    await browser.close();
    server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
