import assert from 'node:assert/strict';
import {
  hasEnv,
  invocationsOf,
  killOfPid1,
  tiniOptions,
  type Invocation,
} from '../../../src/manifest/server/commandLine';
import { parseChunk, type ContainerView } from '../../../src/manifest/server/manifestModel';

/** A pod with one container made of `fields` (YAML lines at the container's indentation). */
function podText(...fields: string[]): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p',
    'spec:',
    '  containers:',
    '    - name: app',
    '      image: x',
    ...fields.map((field) => `      ${field}`),
    '',
  ].join('\n');
}

function containerOf(text: string): ContainerView {
  const parsed = parseChunk(text);
  assert.equal(parsed.type, 'workloads');
  return parsed.workloads[0].containers[0];
}

function invocations(...fields: string[]): { text: string; all: readonly Invocation[] } {
  const text = podText(...fields);
  return { text, all: invocationsOf(text, containerOf(text)) };
}

/** Each command a container runs: where from, its program (or "-" for none), and its words. */
function commands(...fields: string[]): [string, string, string][] {
  return invocations(...fields).all.map((invocation) => [
    `${invocation.origin}${invocation.inScript ? ' script' : ''}`,
    invocation.words[invocation.program]?.value ?? '-',
    invocation.words.map((word) => word.value).join(' '),
  ]);
}

/** The program a command line runs, through its launchers. */
const programOf = (argv: string[]) => commands(`command: ${JSON.stringify(argv)}`)[0][1];

describe('command lines a container runs', () => {
  it('reads the main argv, its args, both hooks and the three exec probes', () => {
    assert.deepEqual(
      commands(
        'command: ["app"]',
        'args: ["--port", 8080, true]',
        'lifecycle:',
        '  postStart: {exec: {command: ["post"]}}',
        '  preStop: {exec: {command: ["pre"]}}',
        'livenessProbe: {exec: {command: ["live"]}}',
        'readinessProbe: {exec: {command: ["ready"]}}',
        'startupProbe: {exec: {command: ["start"]}}',
      ),
      [
        ['main', 'app', 'app --port 8080 true'],
        ['hook', 'post', 'post'],
        ['hook', 'pre', 'pre'],
        ['probe', 'live', 'live'],
        ['probe', 'ready', 'ready'],
        ['probe', 'start', 'start'],
      ],
    );
    assert.deepEqual(commands('args: ["init", "--config"]'), [['args', 'init', 'init --config']]);
    assert.deepEqual(commands('command: []', 'args: []'), []);
    assert.deepEqual(commands('command: [{a: 1}, ~, "app"]'), [['main', 'app', 'app']]);
  });

  it('places numbers and booleans as they are written', () => {
    const { text, all } = invocations('command: ["kill", -9, 0x1]');
    assert.deepEqual(
      all[0].words.map((word) => [word.value, text.slice(word.span.start, word.span.end)]),
      [
        ['kill', '"kill"'],
        ['-9', '-9'],
        ['0x1', '0x1'],
      ],
    );
    assert.equal(all[0].words[2].offsetOf(1), text.indexOf('0x1') + 1);
  });

  it('keeps the argv of a command, and none for args alone', () => {
    const { all } = invocations('command: ["tini", "--"]', 'args: ["app"]');
    assert.equal(all[0].argv?.firstIndex, 0);
    assert.deepEqual(
      all[0].argv?.seq.items.map((item) => String(item)),
      ['tini', '--'],
    );
    assert.equal(invocations('args: ["app"]').all[0].argv, undefined);
  });

  describe('launchers', () => {
    it('skips each launcher, its options and the values they take', () => {
      const cases: [string[], string][] = [
        [['exec', '-a', 'name', 'app'], 'app'],
        [['command', 'app'], 'app'],
        [['builtin', 'app'], 'app'],
        [['nohup', 'app'], 'app'],
        [['setsid', '-w', 'app'], 'app'],
        [['time', '-f', '%e', 'app'], 'app'],
        [['time', '--output', 'f', 'app'], 'app'],
        [['nice', '-n', '5', 'app'], 'app'],
        [['ionice', '-c', '2', '-n', '7', 'app'], 'app'],
        [['timeout', '-s', 'KILL', '5', 'app'], 'app'],
        [['timeout', '--kill-after', '2', '5', 'app'], 'app'],
        [['stdbuf', '-o', 'L', 'app'], 'app'],
        [['chroot', '--userspec', 'u', '/root', 'app'], 'app'],
        [['su-exec', 'nobody', 'app'], 'app'],
        [['gosu', 'nobody', 'app'], 'app'],
        [['s6-setuidgid', 'nobody', 'app'], 'app'],
        [['chpst', '-u', 'nobody', 'app'], 'app'],
        [['doas', '-u', 'root', 'app'], 'app'],
        [['sudo', '-u', 'root', '-E', 'app'], 'app'],
        [['env', '-u', 'X', 'A=1', 'B=2', 'app'], 'app'],
        [['env', '--chdir', '/', 'app'], 'app'],
        [['dumb-init', '-r', '15:2', 'app'], 'app'],
        [['catatonit', '-g', 'app'], 'app'],
        [['busybox', 'app'], 'app'],
        [['/sbin/tini', '-p', 'SIGTERM', '-e', '143', '--', 'app'], 'app'],
        [['tini-static', '-s', 'app'], 'app'],
        [['/usr/bin/env', 'nice', 'nohup', 'app'], 'app'],
        [['exec', '--', '-app'], '-app'],
      ];
      for (const [argv, program] of cases) {
        assert.equal(programOf(argv), program, argv.join(' '));
      }
    });

    it('finds no program when the launchers run none, or only look one up', () => {
      assert.equal(programOf(['env']), '-');
      assert.equal(programOf(['nice', '-n']), '-');
      assert.equal(programOf(['command', '-v', 'app']), '-');
      assert.equal(programOf(['command', '-V', 'app']), '-');
      assert.equal(programOf(['timeout', '5']), '-');
      // `-v` only means "look up" to `command`.
      assert.equal(programOf(['sudo', '-v', 'app']), 'app');
      // NAME=value words are the command's own after any launcher but env.
      assert.equal(programOf(['nohup', 'A=1', 'app']), 'A=1');
      // A program named like a launcher's option value is not skipped twice.
      assert.equal(programOf(['nice', 'app', '-n', '5']), 'app');
      assert.equal(programOf(['toString']), 'toString');
    });
  });

  describe('scripts', () => {
    it('reads the script of a shell after its options, before or after -c', () => {
      const cases: [string[], string][] = [
        [['sh', '-c', 'app'], 'app'],
        [['/bin/bash', '-ec', 'app'], 'app'],
        [['bash', '-e', '-c', 'app'], 'app'],
        [['bash', '-c', '-e', 'app'], 'app'],
        [['bash', '--norc', '-c', 'app'], 'app'],
        [['bash', '--rcfile', 'f', '-c', 'app'], 'app'],
        [['bash', '--init-file', 'f', '-c', 'app'], 'app'],
        [['bash', '-o', 'pipefail', '-c', 'app'], 'app'],
        [['bash', '-O', 'extglob', '-c', 'app'], 'app'],
        [['bash', '+e', '-c', 'app'], 'app'],
        [['bash', '-c', '--', 'app'], 'app'],
        [['bash', '-c', '-', 'app'], 'app'],
        [['ash', '-c', 'app'], 'app'],
        [['dash', '-c', 'app'], 'app'],
        [['zsh', '-c', 'app'], 'app'],
        [['ksh', '-c', 'app'], 'app'],
        [['mksh', '-c', 'app'], 'app'],
        [['yash', '-c', 'app'], 'app'],
        [['su', 'nobody', '-c', 'app'], 'app'],
        [['su', '--command', 'app', 'nobody'], 'app'],
        [['runuser', '-u', 'nobody', '-c', 'app'], 'app'],
        [['eval', 'app'], 'app'],
        [['trap', 'app', 'TERM'], 'app'],
      ];
      for (const [argv, program] of cases) {
        assert.deepEqual(
          commands(`command: ${JSON.stringify(argv)}`).map(([origin, name]) => [origin, name]),
          [
            ['main', argv[0]],
            ['main script', program],
          ],
          argv.join(' '),
        );
      }
    });

    it('reads no script without -c, without a word after it, or for other programs', () => {
      const none: string[][] = [
        ['sh', 'script.sh'],
        ['sh', '-e', 'script.sh'],
        ['sh', '+c', 'app'],
        ['sh', '-c'],
        ['sh', '-o', 'c', 'app'],
        ['bash', '--rcfile', '-c', 'app'],
        ['fish', '-c', 'app'],
        ['python', '-c', 'app'],
        ['su', 'nobody'],
        ['su', '-c'],
        ['eval'],
        ['eval', 'a', 'b'],
        ['trap', 'app'],
        ['trap', '-', 'TERM'],
        ['trap', '-p', 'TERM'],
      ];
      for (const argv of none) {
        assert.equal(commands(`command: ${JSON.stringify(argv)}`).length, 1, argv.join(' '));
      }
    });

    it('marks the word a script was read from, and the script commands as found in it', () => {
      const { all } = invocations('command: ["sh", "-c", "a; b"]');
      assert.deepEqual(
        all.map((invocation) => [
          invocation.script,
          invocation.inScript,
          invocation.argv !== undefined,
        ]),
        [
          [2, false, true],
          [undefined, true, false],
          [undefined, true, false],
        ],
      );
      const args = invocations('args: ["sh", "-c", "a"]').all;
      assert.deepEqual(
        args.map((invocation) => invocation.origin),
        ['args', 'args'],
      );
    });

    it('reads nested shells eight deep, and no deeper', () => {
      const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;
      const nested = (levels: number): string[] => {
        let words = ['inner'];
        for (let level = 0; level < levels; level++) {
          words = ['sh', '-c', words.map(quote).join(' ')];
        }
        return words;
      };
      const programs = (levels: number) =>
        commands(`command: ${JSON.stringify(nested(levels))}`).map(([, program]) => program);
      assert.deepEqual(programs(8), [...Array<string>(8).fill('sh'), 'inner']);
      assert.deepEqual(programs(9), Array<string>(9).fill('sh'));
    });

    it('places script words where they are written, escapes included', () => {
      const { text, all } = invocations(
        'command:',
        '  - sh',
        '  - -c',
        '  - "a; kill -\\u0048UP \'x y\' 1"',
      );
      const kill = all.find((invocation) => invocation.words[0]?.value === 'kill');
      assert.ok(kill);
      assert.deepEqual(
        kill.words.map((word) => [word.value, text.slice(word.span.start, word.span.end)]),
        [
          ['kill', 'kill'],
          ['-HUP', '-\\u0048UP'],
          ['x y', "'x y'"],
          ['1', '1'],
        ],
      );
      const hup = kill.words[1];
      assert.equal(text.slice(hup.offsetOf(1), hup.offsetOf(2)), '\\u0048');
      assert.equal(text[hup.offsetOf(2)], 'U');
      assert.equal(text[kill.words[2].offsetOf(0)], 'x');
    });

    it('keeps the assignments and here-document lines of script commands', () => {
      const { all } = invocations(
        'command: ["sh", "-c", "A=1 B=2 app\\ncat <<EOF\\nline one\\nEOF\\n"]',
      );
      assert.deepEqual(
        all.map((invocation) => [
          invocation.assignments.map((word) => word.value),
          invocation.hereDocumentLines.map((word) => word.value),
        ]),
        [
          [[], []],
          [['A=1', 'B=2'], []],
          [[], ['line one']],
        ],
      );
      assert.deepEqual(
        commands('command: ["sh", "-c", "X=1"]').map(([origin, program]) => [origin, program]),
        [
          ['main', 'sh'],
          ['main script', '-'],
        ],
      );
    });
  });

  describe('kill of PID 1', () => {
    const kill = (argv: (string | number)[]) => {
      const { text, all } = invocations(`command: ${JSON.stringify(argv)}`);
      const found = killOfPid1(all[0]);
      return found && [found.signal, text.slice(found.span.start, found.span.end)];
    };

    it('names the signal however it is given, TERM by default', () => {
      assert.deepEqual(kill(['kill', '1']), ['TERM', '"kill","1"']);
      assert.deepEqual(kill(['kill', '-HUP', '1']), ['HUP', '"kill","-HUP","1"']);
      assert.deepEqual(kill(['kill', '-sighup', '1'])?.[0], 'HUP');
      assert.deepEqual(kill(['kill', '-s', 'USR1', '1'])?.[0], 'USR1');
      assert.deepEqual(kill(['kill', '-n', '9', '1'])?.[0], 'KILL');
      assert.deepEqual(kill(['kill', '--signal', 'QUIT', '1'])?.[0], 'QUIT');
      assert.deepEqual(kill(['kill', '-s'])?.[0], undefined);
      assert.deepEqual(kill(['kill', '--', '1'])?.[0], 'TERM');
      assert.deepEqual(kill(['kill', '-9', '--', '1'])?.[0], 'KILL');
      assert.deepEqual(kill(['/bin/kill', '-2', '42', '1'])?.[0], 'INT');
      const numbers: [string, string][] = [
        ['1', 'HUP'],
        ['2', 'INT'],
        ['3', 'QUIT'],
        ['9', 'KILL'],
        ['10', 'USR1'],
        ['12', 'USR2'],
        ['15', 'TERM'],
        ['17', '17'],
      ];
      for (const [number, name] of numbers) {
        assert.equal(kill(['kill', `-${number}`, '1'])?.[0], name, number);
      }
    });

    it('spans the whole command, and is nothing without PID 1, for -l or signal 0', () => {
      assert.deepEqual(kill(['exec', 'kill', '-HUP', '1', '2']), ['HUP', '"kill","-HUP","1","2"']);
      assert.equal(kill(['kill', '-HUP', '12']), undefined);
      assert.equal(kill(['kill', '-HUP', '-1']), undefined);
      assert.equal(kill(['kill', '-l', '1']), undefined);
      assert.equal(kill(['kill', '-L', '1']), undefined);
      assert.equal(kill(['kill', '-0', '1']), undefined);
      assert.equal(kill(['kill', '-SIG0', '1']), undefined);
      assert.equal(kill(['pkill', '1']), undefined);
      assert.equal(kill(['kill']), undefined);
    });
  });

  describe('tini options', () => {
    it('lists the options before the program, skipping the values of -p and -e', () => {
      const words = (argv: string[]) =>
        invocations(`command: ${JSON.stringify(argv)}`).all[0].words;
      assert.deepEqual(
        tiniOptions(words(['tini', '-v', '-p', 'SIGTERM', '-e', '-s', '--', 'app'])),
        ['-v', '-p', '-e'],
      );
      assert.deepEqual(tiniOptions(words(['tini', '-sg', 'app', '-v'])), ['-sg']);
      assert.deepEqual(tiniOptions(words(['tini'])), []);
    });
  });

  describe('environment variables', () => {
    it('tells whether the env list sets a name, or may through a template action', () => {
      const container = (...fields: string[]) => containerOf(podText(...fields));
      assert.equal(
        hasEnv(container('env: [{name: TINI_SUBREAPER, value: "1"}]'), 'TINI_SUBREAPER'),
        true,
      );
      assert.equal(hasEnv(container('env: [{name: OTHER, value: "1"}]'), 'TINI_SUBREAPER'), false);
      assert.equal(hasEnv(container('env: ["TINI_SUBREAPER"]'), 'TINI_SUBREAPER'), false);
      assert.equal(hasEnv(container(), 'TINI_SUBREAPER'), false);
      const templated = podText('env:', '  {{- toYaml .Values.env | nindent 8 }}', '  - name: A');
      const parsed = parseChunk(templated);
      if (parsed.type === 'workloads') {
        assert.equal(hasEnv(parsed.workloads[0].containers[0], 'TINI_SUBREAPER'), true);
      }
    });
  });
});
