// Runs podman with the sandbox's own containers.conf. Every call is an argv array: names and
// values from manifests never become shell text.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CONTAINERS_CONF = fileURLToPath(new URL('containers.conf', import.meta.url));

/** Marks everything the sandbox creates; `instance` tells sandboxes (state dirs) apart. */
export const LABEL = 'io.pod-process-explorer.sandbox';
export const LABEL_INSTANCE = `${LABEL}.instance`;
export const LABEL_STATE_DIR = `${LABEL}.state-dir`;

export function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF };
}

export class PodmanError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`podman ${args[0] ?? ''} failed (${String(code)}): ${stderr.trim()}`);
  }
}

export interface PodmanResult {
  stdout: string;
  stderr: string;
}

export function podman(args: readonly string[], input?: Buffer): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'podman',
      [...args],
      { env: podmanEnv(), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new PodmanError(args, code, stderr || error.message));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (input) {
      child.stdin?.end(input);
    } else {
      child.stdin?.end();
    }
  });
}

export async function podmanJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await podman(args);
  const text = stdout.trim();
  return (text ? JSON.parse(text) : []) as T;
}

/** Removes podman pods. Stopping first is much faster here than `pod rm -f` on running pods. */
export async function removePodmanPods(names: readonly string[]): Promise<void> {
  if (names.length === 0) {
    return;
  }
  await podman(['pod', 'stop', '-t', '0', ...names]).catch(() => undefined);
  await podman(['pod', 'rm', '-f', ...names]);
}
