import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  hangUpCommand,
  interactiveShellCommand,
  SHELL_PROBE_COMMAND,
  shellFromProbe,
  ShellStartReader,
} from '../../../src/terminal/shellCommand';

const ANNOUNCEMENT = '\x1b]pod-process-explorer-shell-pid;4321;987654\x07';

/** Feeds `chunks` to a fresh reader; returns what it let through and what it learnt. */
function read(chunks: readonly (string | Buffer)[]): {
  shown: Buffer;
  pid: number | undefined;
  settled: boolean;
} {
  const reader = new ShellStartReader();
  const shown = chunks.map((chunk) =>
    reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk),
  );
  shown.push(reader.flush());
  return { shown: Buffer.concat(shown), pid: reader.shell?.pid, settled: reader.settled };
}

describe('terminal: the shell command', () => {
  it('probes for bash with sh, and falls back to sh for anything else', () => {
    assert.deepEqual(SHELL_PROBE_COMMAND.slice(0, 2), ['sh', '-c']);
    assert.equal(shellFromProbe('bash\n'), 'bash');
    assert.equal(shellFromProbe('sh\n'), 'sh');
    assert.equal(shellFromProbe(''), 'sh');
    assert.equal(shellFromProbe('/bin/bash\n'), 'sh');
  });

  it('passes the shell and the PID as arguments, never inside the script', () => {
    const shell = interactiveShellCommand('bash');
    assert.deepEqual(shell.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(shell.slice(3), ['sh', 'bash']);
    assert.doesNotMatch(shell[2], /bash/);
    const hangUp = hangUpCommand({ pid: 17, startTicks: 4242 });
    assert.deepEqual(hangUp.slice(3), ['sh', '17', '4242', 'HUP']);
    assert.doesNotMatch(hangUp[2], /17|4242/);
  });

  it('runs in a real sh: the wrapper announces its own PID, then execs the shell in place', () => {
    // `exec "$1"` with "sh" and the script reading $$ again: the same PID both times.
    const [file, ...args] = interactiveShellCommand('sh');
    const output = execFileSync(file, args, { input: 'echo "after $$"\n' });
    const reader = new ShellStartReader();
    const rest = reader.push(output).toString('utf8');
    const shell = reader.shell;
    assert.ok(shell !== undefined && shell.pid > 0, JSON.stringify(output.toString()));
    assert.equal(rest, `after ${shell.pid}\n`);
    assert.ok(shell.startTicks > 0, 'the start time the hang-up guard checks');
  });

  it('hangs up only the shell it started: a reused PID is left alone', () => {
    const [file, ...args] = interactiveShellCommand('sh');
    const output = execFileSync(file, args, { input: 'exit 0\n' });
    const reader = new ShellStartReader();
    reader.push(output);
    const shell = reader.shell;
    assert.ok(shell);
    // This test's own process stands in for whatever got the PID: another start time.
    const [sh, ...guard] = hangUpCommand({ pid: process.pid, startTicks: shell.startTicks });
    assert.throws(() => execFileSync(sh, guard, { stdio: 'pipe' }), /ppe-gone|status 3/);
  });

  it('reads the announcement off the output, however the frames split it', () => {
    const output = `${ANNOUNCEMENT}/ # héllo`;
    const bytes = Buffer.from(output, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const result = read([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.equal(result.pid, 4321, `cut at ${cut}`);
      assert.equal(result.shown.toString('utf8'), '/ # héllo', `cut at ${cut}`);
    }
    const byteByByte = read([...bytes].map((byte) => Buffer.from([byte])));
    assert.equal(byteByByte.pid, 4321);
    assert.equal(byteByByte.shown.toString('utf8'), '/ # héllo');
  });

  it('holds back only what could still be the announcement', () => {
    const reader = new ShellStartReader();
    assert.equal(reader.push(Buffer.from('\x1b]pod-process')).length, 0);
    assert.equal(reader.settled, false);
    assert.equal(reader.push(Buffer.from('-explorer-shell-pid;12;3')).length, 0);
    assert.equal(reader.push(Buffer.from('\x07$ ')).toString(), '$ ');
    assert.equal(reader.shell?.pid, 12);
    assert.equal(reader.settled, true);
    assert.equal(reader.push(Buffer.from('more')).toString(), 'more');
  });

  it('passes other output through unchanged: the shell never started', () => {
    const message = 'exec: "sh": executable file not found in $PATH\r\n';
    assert.deepEqual(read([message]), {
      shown: Buffer.from(message),
      pid: undefined,
      settled: true,
    });
    // An escape sequence that is not the announcement is output like any other.
    assert.equal(read(['\x1b]0;title\x07$ ']).shown.toString(), '\x1b]0;title\x07$ ');
    assert.equal(
      read(['\x1b]pod-process-explorer-shell-pid;12x\x07']).shown.toString(),
      '\x1b]pod-process-explorer-shell-pid;12x\x07',
    );
  });

  it('gives back a partial announcement when the output ends there', () => {
    assert.deepEqual(read(['\x1b]pod-process-explorer-shell-pid;9']), {
      shown: Buffer.from('\x1b]pod-process-explorer-shell-pid;9'),
      pid: undefined,
      settled: true,
    });
  });
});
