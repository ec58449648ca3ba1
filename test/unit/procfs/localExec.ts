// Runs the container filesystem's scripts on this machine, under dash with GNU tools or under
// busybox sh with busybox's applets only: the same argv an exec in a container would run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FsExec } from '../../../src/procfs/containerFs';

export type LocalShell = 'gnu' | 'busybox';

const BUSYBOX = '/usr/bin/busybox';
const APPLETS = [
  'sh',
  'stat',
  'find',
  'cat',
  'head',
  'chmod',
  'chown',
  'mv',
  'rm',
  'rmdir',
  'cp',
  'mkdir',
  'readlink',
  'grep',
];

let busyboxBin: string | undefined;

/** A PATH of busybox applets alone, so no GNU tool is found by accident. */
function busyboxPath(): string {
  if (!busyboxBin) {
    busyboxBin = mkdtempSync(join(tmpdir(), 'ppe-busybox-'));
    for (const applet of APPLETS) {
      symlinkSync(BUSYBOX, join(busyboxBin, applet));
    }
  }
  return busyboxBin;
}

export function localExec(shell: LocalShell, path?: string): FsExec {
  return (request) =>
    new Promise((resolve, reject) => {
      const [, ...args] = request.command;
      const env =
        shell === 'busybox' ? { PATH: path ?? busyboxPath() } : { PATH: path ?? process.env.PATH };
      const child = spawn(shell === 'busybox' ? join(busyboxPath(), 'sh') : '/bin/dash', args, {
        env,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) =>
        request.onStdout ? request.onStdout(chunk) : stdout.push(chunk),
      );
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({
          exitCode: code ?? 1,
          stdout: Buffer.concat(stdout),
          stderr: Buffer.concat(stderr),
        }),
      );
      // A script that refuses before reading its stdin closes the pipe early: not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(request.stdin ? Buffer.from(request.stdin) : undefined);
    });
}

/** A fresh directory standing in for `/proc/<pid>/root`. */
export function fakeRoot(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'ppe-root-')), 'root');
  mkdirSync(root);
  return root;
}
