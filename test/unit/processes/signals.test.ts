import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  COMMON_SIGNALS,
  guardedKillCommand,
  killCommand,
  parseKillResult,
  parseSignal,
  signalByName,
  signalConsequence,
  signalLabel,
  signalSenders,
  standardSignalName,
  statCommand,
  statShowsStart,
} from '../../../src/processes/signals';

/** The shells the guard must work in: dash (Debian's sh) and busybox ash when installed. */
const SHELLS = [['/bin/sh'], ...(existsSync('/bin/busybox') ? [['/bin/busybox', 'sh']] : [])];

/** The fields of /proc/PID/stat after comm: [0] is the state, [19] the start time. */
function statOf(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function startTicksOf(pid: number): number {
  return Number(statOf(pid)[19]);
}

function sleeper(): Promise<{ child: ChildProcess; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve({ child, exited }));
    child.once('error', reject);
  });
}

describe('processes: signals', () => {
  it('names the common signals with their x86/arm numbers', () => {
    assert.deepEqual(
      COMMON_SIGNALS.map((name) => [name, signalByName(name).number]),
      [
        ['HUP', 1],
        ['INT', 2],
        ['QUIT', 3],
        ['KILL', 9],
        ['USR1', 10],
        ['USR2', 12],
        ['TERM', 15],
        ['STOP', 19],
        ['CONT', 18],
      ],
    );
    assert.equal(standardSignalName(28), 'WINCH');
    assert.equal(standardSignalName(40), undefined);
  });

  it('reads typed names and numbers, and refuses anything else', () => {
    assert.deepEqual(parseSignal('hup'), { name: 'HUP', number: 1 });
    assert.deepEqual(parseSignal(' SIGTERM '), { name: 'TERM', number: 15 });
    assert.deepEqual(parseSignal('-USR1'), { name: 'USR1', number: 10 });
    assert.deepEqual(parseSignal('winch'), { name: 'WINCH', number: 28 });
    // A number stays a number: the user meant that one, whatever the architecture calls it.
    assert.deepEqual(parseSignal('10'), { name: undefined, number: 10 });
    assert.deepEqual(parseSignal('-9'), { name: undefined, number: 9 });
    assert.deepEqual(parseSignal('64'), { name: undefined, number: 64 });
    for (const text of ['0', '65', '1.5', 'FOO', 'SIG', '', '1; reboot', '$(id)']) {
      assert.equal(parseSignal(text), undefined, text);
    }
    assert.equal(signalLabel({ name: undefined, number: 42 }), '42');
  });

  it('builds kill’s argv with -s and the name or the number, never shell text', () => {
    assert.deepEqual(killCommand(signalByName('HUP'), 8), ['kill', '-s', 'HUP', '8']);
    assert.deepEqual(killCommand({ name: undefined, number: 42 }, 8), ['kill', '-s', '42', '8']);
    const guarded = guardedKillCommand(signalByName('TERM'), 8, 12345);
    assert.deepEqual(guarded.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(guarded.slice(3), ['sh', '8', '12345', 'TERM']);
  });

  for (const shell of SHELLS) {
    it(`guard (${shell.join(' ')}): signals the process it was given, by start time`, async () => {
      const { child, exited } = await sleeper();
      const pid = child.pid as number;
      const [, , script, ...args] = guardedKillCommand(
        signalByName('TERM'),
        pid,
        startTicksOf(pid) + 1,
      );
      // Another start time: the PID now names a later process, which must not get the signal.
      const reused = spawnSync(shell[0], [...shell.slice(1), '-c', script, ...args]);
      assert.deepEqual(parseKillResult(reused.status ?? -1, reused.stderr.toString()), {
        kind: 'gone',
      });
      assert.notEqual(statOf(pid)[0], 'Z', 'the process still runs');
      const [, , , ...right] = guardedKillCommand(signalByName('TERM'), pid, startTicksOf(pid));
      execFileSync(shell[0], [...shell.slice(1), '-c', script, ...right]);
      assert.equal(await exited, 'SIGTERM');
      const gone = spawnSync(shell[0], [...shell.slice(1), '-c', script, ...right]);
      assert.equal(parseKillResult(gone.status ?? -1, gone.stderr.toString()).kind, 'gone');
    });
  }

  it('reads kill’s answer from busybox, procps, dash, ash and bash', () => {
    assert.deepEqual(parseKillResult(0, ''), { kind: 'sent' });
    for (const stderr of [
      "kill: can't kill pid 8: Operation not permitted",
      '/bin/kill: (8): Operation not permitted',
      'dash: 1: kill: Operation not permitted',
      "sh: can't kill pid 8: Operation not permitted",
      'bash: kill: (8) - Operation not permitted',
    ]) {
      assert.deepEqual(parseKillResult(1, stderr), { kind: 'notPermitted' }, stderr);
    }
    for (const stderr of [
      "kill: can't kill pid 999999: No such process",
      '/bin/kill: (999999): No such process',
      'dash: 1: kill: No such process',
      'bash: kill: (999999) - No such process',
      'ppe-gone\n',
    ]) {
      assert.deepEqual(parseKillResult(1, stderr), { kind: 'gone' }, stderr);
    }
    assert.deepEqual(parseKillResult(1, "sh: bad signal name 'FOO'\n"), {
      kind: 'badSignal',
      detail: "sh: bad signal name 'FOO'",
    });
    assert.deepEqual(parseKillResult(1, 'bash: kill: FOO: invalid signal specification'), {
      kind: 'badSignal',
      detail: 'bash: kill: FOO: invalid signal specification',
    });
    assert.deepEqual(parseKillResult(2, ''), { kind: 'failed', detail: '', exitCode: 2 });
  });

  it('asks first for signals that end the pod (PID 1) or a container (its main process)', () => {
    const sandbox = { isSandbox: true, isMain: false };
    const main = { isSandbox: false, isMain: true };
    const other = { isSandbox: false, isMain: false };
    for (const name of ['TERM', 'INT', 'KILL', 'QUIT'] as const) {
      assert.equal(signalConsequence(signalByName(name), sandbox), 'stopsPod');
      assert.equal(signalConsequence(signalByName(name), main), 'stopsContainer');
      assert.equal(signalConsequence(signalByName(name), other), undefined);
    }
    for (const name of ['HUP', 'USR1', 'USR2', 'STOP', 'CONT'] as const) {
      assert.equal(signalConsequence(signalByName(name), sandbox), undefined);
      assert.equal(signalConsequence(signalByName(name), main), undefined);
    }
    // Typed as numbers, they mean the same.
    assert.equal(signalConsequence({ name: undefined, number: 15 }, main), 'stopsContainer');
    assert.equal(signalConsequence({ name: undefined, number: 42 }, sandbox), undefined);
  });

  it('sends from the inspector, then the target’s user, then root, of the given containers', () => {
    const containers = [
      { name: 'app', running: true, uid: 0 },
      { name: 'worker', running: true, uid: 1000 },
      { name: 'debug', running: true, uid: 1000 },
      { name: 'stopped', running: false, uid: 1000 },
      { name: 'unlisted', running: true, uid: undefined },
    ];
    assert.deepEqual(
      signalSenders({
        inspector: 'debug',
        processContainer: 'worker',
        targetUid: 1000,
        containers,
      }),
      ['debug', 'worker', 'app'],
    );
    assert.deepEqual(
      signalSenders({
        inspector: 'debug',
        processContainer: 'app',
        targetUid: 0,
        containers,
      }),
      ['debug', 'app'],
    );
    // An isolated pod's caller passes the containers of one PID namespace: web and its debugger.
    assert.deepEqual(
      signalSenders({
        inspector: 'debugger',
        processContainer: 'web',
        targetUid: 101,
        containers: [
          { name: 'web', running: true, uid: 101 },
          { name: 'debugger', running: true, uid: 0 },
        ],
      }),
      ['debugger', 'web'],
    );
    assert.deepEqual(
      signalSenders({
        inspector: 'stopped',
        processContainer: undefined,
        targetUid: 5,
        containers,
      }),
      ['app'],
    );
  });

  it('checks the start time before a kill without a shell, comm with spaces and parentheses and all', () => {
    const stat = '42 (my (odd) app) S 1 42 42 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 123456 0 0\n';
    assert.ok(statShowsStart(stat, 123456));
    assert.ok(!statShowsStart(stat, 123457), 'a reused PID');
    assert.ok(!statShowsStart('', 123456));
    assert.ok(!statShowsStart('garbage 123456', 123456));
    assert.deepEqual(statCommand(42), ['cat', '/proc/42/stat']);
  });
});
