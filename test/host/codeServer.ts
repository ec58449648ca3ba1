// code-server 4.139.1 from npm: the same VS Code (1.139.1) as a server build, installed into the
// test cache on first use. It needs Node 24 on PATH and that Node's headers for its native modules.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { cacheDir, ensureTestNode } from '../../scripts/testNode.mjs';

export const CODE_SERVER_VERSION = '4.139.1';

const execFileAsync = promisify(execFile);

/** Installs code-server once into the cache and returns the path of its `code-server` script. */
export async function ensureCodeServer(log: (line: string) => void): Promise<string> {
  const root = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(root, 'node_modules', '.bin', 'code-server');
  // Written last, so an interrupted install is redone rather than reused half-built.
  const marker = join(root, '.installed');
  if (existsSync(marker) && existsSync(bin)) {
    return bin;
  }
  const nodeHome = ensureTestNode();
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${root} (once, about 2 minutes)…`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "private": true }\n');
  await execFileAsync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--dangerously-allow-all-scripts',
      `code-server@${CODE_SERVER_VERSION}`,
    ],
    {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...withoutNpmConfig(process.env),
        PATH: `${join(nodeHome, 'bin')}:${process.env.PATH ?? ''}`,
        npm_config_nodedir: nodeHome,
        npm_config_unsafe_perm: 'true',
      },
    },
  );
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return bin;
}

/**
 * The environment without what an outer `npm run` exported: code-server's postinstall reads the
 * Node version from npm_config_user_agent, which would otherwise name the outer npm's Node 20.
 */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (!/^npm_/i.test(name)) {
      clean[name] = value;
    }
  }
  return clean;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('no port'));
        }
      });
    });
  });
}

export interface CodeServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): void;
}

export interface CodeServerOptions {
  readonly bin: string;
  readonly port: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly smokeTestDriver: boolean;
  /** VS Code's display language; a language pack for it must be installed (languagePack.ts). */
  readonly locale?: string;
  readonly onOutput: (chunk: string) => void;
}

/** Starts code-server on loopback in its own process group and waits until it answers. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServerProcess> {
  const nodeHome = ensureTestNode();
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${options.port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
  ];
  if (options.locale) {
    args.push('--locale', options.locale);
  }
  if (options.smokeTestDriver) {
    // Without it the release build's web client ignores the test payload.
    args.push('--vscode-option', 'enable-smoke-test-driver');
  }
  const child = spawn(options.bin, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, PATH: `${join(nodeHome, 'bin')}:${process.env.PATH}` },
  });
  child.stdout?.setEncoding('utf8').on('data', options.onOutput);
  child.stderr?.setEncoding('utf8').on('data', options.onOutput);
  const stop = (): void => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited early with code ${child.exitCode}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('code-server did not answer within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, child, stop };
}

/** Debian's Chromium, headless; the flags keep it off the network this machine does not have. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PPE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface WorkbenchOptions {
  /** Absolute paths on the code-server machine. */
  readonly extensionDevelopmentPath: string;
  readonly extensionTestsPath?: string;
  readonly folder?: string;
}

/** The workbench URL that loads the extension in development mode (and runs its tests, if given). */
export function workbenchUrl(server: CodeServerProcess, options: WorkbenchOptions): string {
  const remote = (path: string): string => `vscode-remote://${new URL(server.url).host}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)],
    ['skipWelcome', 'true'],
  ];
  if (options.extensionTestsPath) {
    payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  }
  const query = new URLSearchParams({ payload: JSON.stringify(payload) });
  if (options.folder) {
    query.set('folder', options.folder);
  }
  return `${server.url}/?${query.toString()}`;
}
