// Takes the README's screenshots in the real editor: code-server with the extension loaded in
// development mode, a fixture manifest open, its diagnostics and a hover; and the Pod Processes
// tree with the task page's pod (from a sandbox cluster) expanded down to its processes; a
// terminal, Send Signal…, process details, a debug container added to a pod without a shell, and
// nginx.conf opened from the nginx master's root.
// And one in Japanese, through the test language pack (languagePack.ts).
// Run: npm run screenshots (writes media/screenshots/*.png); `npm run screenshots -- japanese`
// takes the Japanese one only.
import { execFileSync } from 'node:child_process';
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
import { installLanguagePack } from './languagePack';
import { ensureTestNode } from '../../scripts/testNode.mjs';

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

/**
 * Hovers `shareProcessNamespace` until the server's hover shows: one asked for before the
 * language server has checked the file gets no answer, and a user would point at it again.
 */
async function hoverShareProcessNamespace(page: Page): Promise<void> {
  const key = page.locator('.view-line span', { hasText: 'shareProcessNamespace' }).first();
  const hover = page.locator('.monaco-hover-content', { hasText: 'shareProcessNamespace' });
  for (let attempt = 1; ; attempt++) {
    await key.hover();
    try {
      await hover.first().waitFor({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt === 6) {
        throw error;
      }
      await page.mouse.move(0, 0);
    }
  }
}

/** Saves what the workbench shows when a step failed, and says where: it tells why. */
async function saveFailureShot(page: Page): Promise<void> {
  const shot = join(tmpdir(), 'ppe-screenshots-failure.png');
  if (
    await page.screenshot({ path: shot }).then(
      () => true,
      () => false,
    )
  ) {
    process.stderr.write(`the workbench when it failed: ${shot}\n`);
  }
}

interface Workbench {
  readonly page: Page;
  /** Closes the browser and stops code-server; once, however often it is called. */
  readonly close: () => Promise<void>;
}

/** code-server with the extension in development mode on the manifests folder, in a browser. */
async function openWorkbench(
  dir: string,
  kubeconfigPath: string,
  locale?: string,
): Promise<Workbench> {
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  // The Chat side bar opens by default and has nothing to do with this extension.
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
    }),
  );
  const bin = await ensureCodeServer((line) => process.stdout.write(`${line}\n`));
  if (locale) {
    await installLanguagePack(locale, {
      bin,
      env: { ...process.env, PATH: `${join(ensureTestNode(), 'bin')}:${process.env.PATH}` },
      userDataDir,
      extensionsDir,
      scratch: dir,
    });
  }
  const server = await startCodeServer({
    bin,
    port: await freeLoopbackPort(),
    userDataDir,
    extensionsDir,
    locale,
    smokeTestDriver: true,
    env: { KUBECONFIG: kubeconfigPath },
    onOutput: () => undefined,
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await page.goto(
    workbenchUrl(server, {
      extensionDevelopmentPath: root,
      folder: join(root, 'test/fixtures/manifests'),
    }),
  );
  await page.waitForSelector('.monaco-workbench');
  await page.waitForTimeout(3000);
  let closed = false;
  return {
    page,
    close: async () => {
      if (!closed) {
        closed = true;
        await browser.close();
        server.stop();
      }
    },
  };
}

/** The side bar widened from where the 1280×760 window puts its sash, so the tree fits. */
async function widenSideBar(page: Page, to: number): Promise<void> {
  await page.mouse.move(349, 383);
  await page.mouse.down();
  await page.mouse.move(to, 383, { steps: 8 });
  await page.mouse.up();
}

/**
 * In Japanese: the Pod Processes tree with the task page's pod expanded, and the language server's
 * hover on shareProcessNamespace (the view's name, labels and hover from the translations).
 */
async function japanese(dir: string, kubeconfigPath: string): Promise<void> {
  const { page, close } = await openWorkbench(dir, kubeconfigPath, 'ja');
  try {
    await page.locator('.pane-header', { hasText: 'manifests' }).first().click();
    await widenSideBar(page, 640);
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('podProcessExplorer.pods.focus');
    await page.keyboard.press('Enter');
    const tree = page.locator('.pane', { hasText: 'Pod のプロセス' });
    await tree
      .locator('.monaco-list-row', { hasText: /^nginx/ })
      .first()
      .click();
    await tree.locator('.monaco-list-row', { hasText: 'Pod サンドボックス' }).first().waitFor();
    await tree.locator('.monaco-list-row', { hasText: 'nginx: worker process' }).first().waitFor();
    await openFile(page, 'pod-shared.yaml');
    await hoverShareProcessNamespace(page);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'japanese.png') });
  } catch (error) {
    await saveFailureShot(page);
    throw error;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-screenshots-'));
  const sandboxDir = join(scratch, 'sandbox');
  const sandbox = await startSandbox({ stateDir: sandboxDir, seed: true });
  mkdirSync(output, { recursive: true });
  if (process.argv[2] === 'japanese') {
    try {
      await japanese(join(scratch, 'ja'), sandbox.kubeconfigPath);
    } finally {
      await stopSandbox(sandboxDir);
      rmSync(scratch, { recursive: true, force: true });
    }
    return;
  }
  const { page, close } = await openWorkbench(join(scratch, 'en'), sandbox.kubeconfigPath);
  try {
    await openFile(page, 'pod-shared.yaml');
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(output, 'diagnostics.png') });

    await page.keyboard.press('Control+Shift+M');
    await hoverShareProcessNamespace(page);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'hover.png') });

    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'View: Hide Panel');
    // The folder's own section would take the room the tree needs; a wider side bar shows more.
    await page.locator('.pane-header', { hasText: 'manifests' }).first().click();
    await widenSideBar(page, 820);
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

    // The side bar back to a width that leaves the terminal room for `ps ax`'s lines.
    await page.mouse.move(820, 383);
    await page.mouse.down();
    await page.mouse.move(430, 383, { steps: 8 });
    await page.mouse.up();
    await runCommand(page, 'Attach Terminal');
    const pick = page.locator('.quick-input-list .monaco-list-row');
    await pick
      .filter({ hasText: /^nginx/ })
      .first()
      .click();
    // The pod's row names its containers too: pick from the container list once it is up.
    await page.locator('.quick-input-title', { hasText: 'container of nginx' }).waitFor();
    await pick
      .filter({ hasText: /^shell/ })
      .first()
      .click();
    // xterm draws on a canvas: its text is not in the page, so the waits are for its tab and time.
    await page
      .locator('.xterm-helper-textarea[aria-label*="nginx/shell"]')
      .waitFor({ state: 'attached' });
    await runCommand(page, 'View: Toggle Maximized Panel');
    await page.waitForTimeout(2500);
    await page.keyboard.type('ps ax');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(2000);
    // The container's inline actions (Attach Terminal, Open Shell) show on hover.
    const shellRow = tree.locator('.monaco-list-row', { hasText: /^shell/ }).first();
    await shellRow.hover();
    await shellRow.locator('.action-label[aria-label="Attach Terminal"]').hover();
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'terminal.png') });

    // Send Signal… from the nginx master's inline action: the quick pick of signals.
    await runCommand(page, 'View: Hide Panel');
    const masterRow = tree
      .locator('.monaco-list-row', { hasText: 'nginx: master process' })
      .first();
    await masterRow.hover();
    await masterRow.locator('.action-label[aria-label="Send Signal…"]').click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'HUP' }).first().waitFor();
    await page.mouse.move(1100, 700);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'signal.png') });
    await page.keyboard.press('Escape');

    // Show Process Details from the palette, on a pod whose app keeps secrets in its environment.
    const orders = join(scratch, 'orders.yaml');
    writeFileSync(
      orders,
      `apiVersion: v1
kind: Pod
metadata:
  name: orders
spec:
  shareProcessNamespace: true
  containers:
    - name: app
      image: busybox
      command: ["sleep", "3600"]
      env:
        - { name: DB_HOST, value: postgres.orders.svc }
        - { name: DB_USER, value: orders }
        - { name: DB_PASSWORD, value: correct-horse-battery-staple }
        - { name: STRIPE_API_KEY, value: sk_live_51HqLyjWDarjtT1zdp7dc }
    - name: shell
      image: busybox
      stdin: true
      tty: true
      securityContext:
        capabilities:
          add: [SYS_PTRACE]
`,
    );
    const kubectl = (...args: string[]) =>
      execFileSync('/usr/bin/kubectl', ['--kubeconfig', sandbox.kubeconfigPath, ...args]);
    kubectl('apply', '-f', orders);
    kubectl('wait', '--for=condition=Ready', 'pod/orders', '--timeout=90s');
    // Tall enough for the whole document, with the side bar out of the way.
    await page.setViewportSize({ width: 1280, height: 1200 });
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await runCommand(page, 'Show Process Details');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'orders' }).first().click();
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'sleep 3600' })
      .first()
      .click();
    await page.locator('.view-line', { hasText: 'DB_PASSWORD' }).first().waitFor();
    await page.mouse.move(1100, 1180);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'details.png') });

    // Add Debug Container on a pod like most: no shared namespace, no shell in its app's image;
    // its sidecar lists what it sees, its own PID namespace.
    const distroless = join(scratch, 'distroless.yaml');
    writeFileSync(
      distroless,
      `apiVersion: v1
kind: Pod
metadata:
  name: distroless
spec:
  containers:
    - name: web
      image: nginx
    - name: sidecar
      image: busybox
      command: ["sleep", "3600"]
`,
    );
    kubectl('apply', '-f', distroless);
    kubectl('wait', '--for=condition=Ready', 'pod/distroless', '--timeout=90s');
    await runCommand(page, 'View: Close All Editors');
    await page.setViewportSize({ width: 1280, height: 760 });
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await runCommand(page, 'Show All Pods');
    await tree
      .locator('.monaco-list-row', { hasText: /^distroless/ })
      .first()
      .click();
    await tree.locator('.monaco-list-row', { hasText: 'Add Debug Container' }).first().waitFor();
    await runCommand(page, 'Add Debug Container');
    const row = page.locator('.quick-input-list .monaco-list-row');
    await row
      .filter({ hasText: /^distroless/ })
      .first()
      .click();
    await page.locator('.quick-input-title', { hasText: 'Target container' }).waitFor();
    await row.filter({ hasText: /^web/ }).first().click();
    await page.locator('.quick-input-title', { hasText: 'Debug container image' }).waitFor();
    await row
      .filter({ hasText: /^busybox/ })
      .first()
      .click();
    await page.locator('.quick-input-title', { hasText: 'Profile' }).waitFor();
    await row
      .filter({ hasText: /^general/ })
      .first()
      .click();
    await page
      .locator('.xterm-helper-textarea[aria-label*="distroless/debugger-"]')
      .waitFor({ state: 'attached', timeout: 120_000 });
    await tree.locator('.monaco-list-row', { hasText: 'nginx: worker process' }).first().waitFor();
    await tree.locator('.monaco-list-row', { hasText: 'sleep 3600' }).first().waitFor();
    await page.waitForTimeout(2500);
    await page.keyboard.type('ps');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(2000);
    await page.mouse.move(1100, 700);
    await page.screenshot({ path: join(output, 'debug.png') });

    // Browse Container Filesystem on the nginx master, then nginx.conf through Find File in
    // Container, revealed in the Explorer: the task page's `head /proc/8/root/etc/nginx/nginx.conf`.
    // The side bar is shown and the viewport set by the debug container's shot above.
    await runCommand(page, 'Terminal: Kill All Terminals');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Show Shared Pods Only');
    // Until the pod without a shared namespace has left the tree, its nginx master is the first.
    await tree
      .locator('.monaco-list-row', { hasText: /^distroless/ })
      .first()
      .waitFor({ state: 'detached' });
    await runCommand(page, 'Explorer: Focus on Pod Processes View');
    const master = tree.locator('.monaco-list-row', { hasText: 'nginx: master process' }).first();
    await master.click({ button: 'right' });
    // Chosen with the keyboard: under load a click on the item left the menu open, item focused.
    await page
      .locator('.monaco-menu .action-label', { hasText: 'Browse Container Filesystem' })
      .first()
      .hover();
    await page.keyboard.press('Enter');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Add to Workspace' })
      .first()
      .click();
    // The window becomes a workspace of two folders: the web workbench reloads into it. Commands
    // are in the palette once the extensions are registered again (the view is back), and the
    // folders' section, collapsed for the tree above, is opened.
    await page.waitForURL(/[?&]workspace=/, { timeout: 120_000 });
    await page.waitForSelector('.monaco-workbench');
    await page
      .locator('.pane-header', { hasText: 'Pod Processes' })
      .first()
      .waitFor({ timeout: 120_000 });
    await runCommand(page, 'Explorer: Focus on Folders View');
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: /nginx\/nginx · PID \d+/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await runCommand(page, 'Find File in Container');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'nginx.conf' })
      .first()
      .waitFor({ timeout: 60_000 });
    await page.keyboard.type('nginx.conf');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'etc/nginx' })
      .first()
      .click();
    await page.waitForSelector('.tab[data-resource-name="nginx.conf"]');
    await page.locator('.view-line', { hasText: 'worker_processes' }).first().waitFor();
    await runCommand(page, 'File: Reveal Active File in Explorer View');
    await page
      .locator('.explorer-folders-view .monaco-list-row.selected', { hasText: 'nginx.conf' })
      .first()
      .waitFor();
    await page.mouse.move(1100, 700);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(output, 'filesystem.png') });
    await close();
    await japanese(join(scratch, 'ja'), sandbox.kubeconfigPath);
  } catch (error) {
    await saveFailureShot(page);
    throw error;
  } finally {
    await close();
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
