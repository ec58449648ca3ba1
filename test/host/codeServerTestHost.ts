// A stand-in for the VS Code executable that @vscode/test-electron's runTests launches: it takes
// the same --extensionDevelopmentPath/--extensionTestsPath arguments, runs the suite in a real
// VS Code (code-server, headless Chromium driving its web client) and exits with the suite's code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import {
  ensureCodeServer,
  freeLoopbackPort,
  launchChromium,
  startCodeServer,
  workbenchUrl,
  type CodeServerProcess,
} from './codeServer';
import { installLanguagePack } from './languagePack';
import { ensureTestNode } from '../../scripts/testNode.mjs';

const SUITE_TIMEOUT_MS = Number(process.env.PPE_TEST_TIMEOUT_MS ?? 20 * 60_000);

interface HostArguments {
  readonly extensionDevelopmentPath: string;
  readonly extensionTestsPath: string;
  readonly folder: string | undefined;
  /** VS Code's `--locale=<language>`: the display language, from a test language pack. */
  readonly locale: string | undefined;
}

function parseArguments(argv: readonly string[]): HostArguments {
  let extensionDevelopmentPath: string | undefined;
  let extensionTestsPath: string | undefined;
  let folder: string | undefined;
  let locale: string | undefined;
  for (const arg of argv) {
    const [name, value] = arg.split(/=(.*)/s, 2);
    if (name === '--extensionDevelopmentPath') {
      extensionDevelopmentPath = resolve(value);
    } else if (name === '--extensionTestsPath') {
      extensionTestsPath = resolve(value);
    } else if (name === '--locale') {
      locale = value;
    } else if (!arg.startsWith('-')) {
      folder = resolve(arg);
    }
    // Desktop-only flags (--no-sandbox, --user-data-dir of test-electron's cache, …) do not apply.
  }
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error('--extensionDevelopmentPath and --extensionTestsPath are required');
  }
  return { extensionDevelopmentPath, extensionTestsPath, folder, locale };
}

function log(line: string): void {
  process.stdout.write(`[test host] ${line}\n`);
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-test-host-'));
  let server: CodeServerProcess | undefined;
  let browser: Browser | undefined;
  const cleanUp = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    const bin = await ensureCodeServer(log);
    const port = await freeLoopbackPort();
    const serverLog: string[] = [];
    const report = join(scratch, 'report.txt');
    writeFileSync(report, '');
    const userDataDir = join(scratch, 'user-data');
    const extensionsDir = join(scratch, 'extensions');
    if (args.locale) {
      log(`installing a test language pack for --locale ${args.locale}`);
      await installLanguagePack(args.locale, {
        bin,
        env: { ...process.env, PATH: `${join(ensureTestNode(), 'bin')}:${process.env.PATH}` },
        userDataDir,
        extensionsDir,
        scratch,
      });
    }
    server = await startCodeServer({
      bin,
      port,
      userDataDir,
      extensionsDir,
      locale: args.locale,
      smokeTestDriver: true,
      env: { PPE_TEST_REPORT: report },
      onOutput: (chunk) => serverLog.push(chunk),
    });
    log(`code-server ${server.url}`);

    browser = await launchChromium();
    const page = await browser.newPage();
    const exitCode = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    const workbenchLog: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, messages: unknown[]) => {
      workbenchLog.push(`[${type}] ${format(...messages)}\n`);
    });
    await page.goto(workbenchUrl(server, args));

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolveTimeout) => {
      timer = setTimeout(() => {
        log(`the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s`);
        resolveTimeout(1);
      }, SUITE_TIMEOUT_MS);
    });
    const serverExit = new Promise<number>((resolveExit) => {
      server?.child.once('exit', (code) => {
        log(`code-server exited (${code}) before the suite finished`);
        resolveExit(1);
      });
    });
    const code = await Promise.race([exitCode, timeout, serverExit]);
    clearTimeout(timer);
    process.stdout.write(readFileSync(report, 'utf8'));
    if (code !== 0 || process.env.PPE_TEST_VERBOSE) {
      log('workbench log follows');
      process.stdout.write(workbenchLog.join(''));
      log('code-server output follows');
      process.stdout.write(serverLog.join(''));
    }
    return code;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
