// The node's long-running processes: started detached with their output in a log file, recorded by
// pid and start time (so a reused pid is never taken for ours), stopped by pid.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcessRecord {
  name: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells this process from a later one with the same pid. */
  startTime: string;
  log: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isRunning(record: ProcessRecord): boolean {
  const stat = (() => {
    try {
      return readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
  })();
  // A zombie (state Z) has exited; its parent just has not reaped it yet.
  const state = stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return startTimeOf(record.pid) === record.startTime && state !== 'Z';
}

export function startProcess(
  name: string,
  file: string,
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = process.env,
): ProcessRecord {
  if (!existsSync(file) && file.startsWith('/')) {
    throw new Error(`${name}: ${file} does not exist`);
  }
  const out = openSync(log, 'a');
  try {
    const child = spawn(file, [...args], { detached: true, stdio: ['ignore', out, out], env });
    // A failure to start shows as a process that is not running (waitReady names it).
    child.on('error', () => undefined);
    if (child.pid === undefined) {
      throw new Error(`${name} (${file}) could not be started`);
    }
    child.unref();
    return { name, pid: child.pid, startTime: startTimeOf(child.pid) ?? '', log };
  } finally {
    closeSync(out);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM, then SIGKILL after `graceMs`; returns once the process is gone. */
export async function stopProcess(record: ProcessRecord, graceMs = 15_000): Promise<void> {
  if (!isRunning(record)) {
    return;
  }
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(record) && Date.now() < deadline) {
    await delay(100);
  }
  if (isRunning(record)) {
    process.kill(record.pid, 'SIGKILL');
    while (isRunning(record)) {
      await delay(100);
    }
  }
}

/** The last lines of a log that look like errors (or the last lines at all). */
export async function logTail(path: string, lines = 12): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const all = text.trim().split('\n');
  const errors = all.filter((line) => /\b(E\d{4}|error|fatal|failed)\b/i.test(line));
  return (errors.length ? errors : all).slice(-lines).join('\n');
}
