// Shared by the sandbox's tests: a sandbox per test file (own state dir, free port, removed after,
// pass or fail), kubectl runs, and programs driven through a pseudo-terminal.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../polling';
import { startSandbox, type Sandbox, type SandboxOptions } from './index';
import { podman } from './podman';

const PTY_HELPER = fileURLToPath(new URL('ptyHelper.py', import.meta.url));
export const KUBECTL = '/usr/bin/kubectl';

/** Starts a sandbox before the suite's tests and removes it (pods, API, state dir) after them. */
export function useSandbox(
  options: Omit<SandboxOptions, 'stateDir' | 'detached'> = {},
): () => Sandbox {
  let sandbox: Sandbox | undefined;
  let dir: string | undefined;
  before(async function () {
    this.timeout(180_000);
    dir = await mkdtemp(join(tmpdir(), 'ppe-sandbox-test-'));
    sandbox = await startSandbox({ ...options, stateDir: dir });
  });
  after(async function () {
    this.timeout(60_000);
    await sandbox?.stop();
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });
  return () => {
    if (!sandbox) {
      throw new Error('the sandbox did not start');
    }
    return sandbox;
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(sandbox: Sandbox, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      [
        '--kubeconfig',
        sandbox.kubeconfigPath,
        '--cache-dir',
        join(sandbox.stateDir, 'kube-cache'),
        ...args,
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A non-zero exit is a result to check; failing to run kubectl at all is an error.
        const code = error === null ? 0 : error.code;
        if (typeof code === 'number') {
          resolve({ code, stdout, stderr });
        } else {
          reject(new Error(`kubectl ${args.join(' ')} failed: ${error?.message ?? ''}`));
        }
      },
    );
  });
}

/** A program on a pseudo-terminal (kubectl -it needs one): type into it, wait for its output. */
export interface Terminal {
  type(text: string): void;
  /** Resolves with all output so far once `pattern` matches the output after `from`. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  /**
   * Types `line` and Enter until `expect` shows in the output after the typing. Attach-time
   * resizes make busybox redraw its line and drop what was typed meanwhile, so a line may need
   * typing again: use it for commands that are harmless to repeat.
   */
  enter(line: string, expect: RegExp, timeoutMs?: number): Promise<string>;
  readonly output: string;
  readonly exited: Promise<number>;
  kill(): void;
}

export function onTerminal(argv: readonly string[]): Terminal {
  const child = spawn('/usr/bin/python3', [PTY_HELPER, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    type: (text) => child.stdin.write(text),
    waitFor: (pattern, from = 0, timeoutMs = 20_000) =>
      waitUntil(
        () => (pattern.test(output.slice(from)) ? output : undefined),
        () => `${pattern.source} on the terminal; it shows:\n${output}`,
        timeoutMs,
      ),
    enter: async (line, expect, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const from = output.length;
        child.stdin.write(`${line}\r`);
        try {
          return await waitUntil(
            () => (expect.test(output.slice(from)) ? output : undefined),
            '',
            Math.min(2000, deadline - Date.now()),
          );
        } catch (error) {
          if (Date.now() >= deadline) {
            throw new Error(
              `timed out waiting for ${expect.source} after typing ${line}; the terminal shows:\n${output}`,
              { cause: error },
            );
          }
        }
      }
    },
    get output() {
      return output;
    },
    exited,
    kill: () => child.kill('SIGTERM'),
  };
}

export async function podmanPodExists(name: string): Promise<boolean> {
  return podman(['pod', 'exists', name]).then(
    () => true,
    () => false,
  );
}

/** A process line of busybox `ps ax`: PID, USER, COMMAND. */
export interface PsLine {
  pid: number;
  user: string;
  command: string;
}

export function parsePs(text: string): PsLine[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), user: match[2], command: match[3].trim() }));
}
