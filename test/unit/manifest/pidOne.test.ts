import assert from 'node:assert/strict';
import { applyFix, codes, diagnose, fixture } from './manifestTestSupport';

const sharedPod = (container: string, share = 'true') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  shareProcessNamespace: ${share}\n  containers:\n    - name: app\n      image: x\n${container}`;

describe('rules: PID 1', () => {
  describe('ppe-init-needs-pid1', () => {
    it('flags systemd, /sbin/init, s6-overlay, runit and busybox init, also behind a shell', () => {
      const found = diagnose(fixture('pid-one.yaml')).filter(
        (d) => d.code === 'ppe-init-needs-pid1',
      );
      assert.deepEqual(
        found.map((d) => d.text),
        ['"/usr/sbin/init"', '/init', 'runit', '"busybox", "init"', '/lib/systemd/systemd'],
      );
    });

    it('looks through tini and dumb-init', () => {
      assert.deepEqual(
        codes(sharedPod('      command: ["dumb-init", "--single-child", "/sbin/init"]\n')),
        ['ppe-init-needs-pid1'],
      );
    });

    it('is quiet in a pod that does not share its process namespace', () => {
      assert.deepEqual(codes(sharedPod('      command: ["/sbin/init"]\n', 'false')), []);
      assert.deepEqual(
        codes(fixture('pid-one.yaml').replace('shareProcessNamespace: true', 'hostIPC: true')),
        [],
      );
    });

    it('does not take an argument named init for an init', () => {
      assert.deepEqual(codes(sharedPod('      command: ["app", "init"]\n')), []);
      assert.deepEqual(
        codes(sharedPod('      command: ["sh", "-c", "echo init; app init"]\n')),
        [],
      );
    });

    it('does not take args without a command for the program: the entrypoint receives them', () => {
      assert.deepEqual(codes(sharedPod('      args: ["init", "--config", "/etc/app"]\n')), []);
      assert.deepEqual(codes(sharedPod('      args: ["/sbin/init"]\n')), []);
    });

    it('flags an init a script in args runs, and an init behind exec and busybox', () => {
      assert.deepEqual(codes(sharedPod('      args: ["sh", "-c", "setup; exec /sbin/init"]\n')), [
        'ppe-init-needs-pid1',
      ]);
      assert.deepEqual(
        diagnose(sharedPod('      command: ["sh", "-c", "exec busybox init"]\n')).map(
          (d) => d.text,
        ),
        ['busybox init'],
      );
    });
  });

  describe('ppe-kill-pid1', () => {
    it('flags kill of PID 1 in a script, a hook and names the signal', () => {
      const found = diagnose(fixture('pid-one.yaml')).filter((d) => d.code === 'ppe-kill-pid1');
      assert.deepEqual(
        found.map((d) => d.text),
        ['kill -HUP 1', '"kill", "-TERM", "1"'],
      );
      assert.match(found[0].message, /ignores SIGHUP/);
      assert.match(found[1].message, /SIGTERM.*stops the whole pod/);
    });

    it('reads -s SIG, numeric signals, the default TERM and exec probes', () => {
      const probe = (command: string) =>
        sharedPod(`      readinessProbe:\n        exec:\n          command: ${command}\n`);
      assert.match(diagnose(probe('["kill", "-s", "INT", "1"]'))[0].message, /SIGINT.*stops/);
      assert.match(diagnose(probe('["kill", "-1", "1"]'))[0].message, /ignores SIGHUP/);
      assert.match(diagnose(probe('["/bin/kill", "1"]'))[0].message, /SIGTERM/);
      assert.match(
        diagnose(probe('["sh", "-c", "sleep 1; kill -SIGUSR1 1"]'))[0].message,
        /SIGUSR1/,
      );
    });

    it('finds kill where shells put commands: after do, then, else, !, {, (, &&, ||, ;, |', () => {
      const scripts = [
        'while true; do sleep 30; kill -HUP 1; done',
        'while true; do kill -HUP 1; sleep 30; done',
        'if test -f /reload; then kill -HUP 1; fi',
        'if false; then :; else kill -HUP 1; fi',
        '! kill -HUP 1',
        '{ kill -HUP 1; }',
        '(kill -HUP 1)',
        'true && kill -HUP 1',
        'false || kill -HUP 1',
        'echo reload | kill -HUP 1',
        'inotifywait -m /etc/app | while read -r line; do kill -HUP 1; done',
        'until kill -HUP 1; do sleep 1; done',
        'case "$1" in reload) kill -HUP 1;; esac',
      ];
      for (const script of scripts) {
        const found = diagnose(
          sharedPod(`      command: ["sh", "-c", ${JSON.stringify(script)}]\n`),
        );
        assert.deepEqual(
          found.map((d) => [d.code, d.text]),
          [['ppe-kill-pid1', 'kill -HUP 1']],
          script,
        );
      }
    });

    it('finds kill behind launchers, trap handlers and nested shells', () => {
      const commands = [
        '["busybox", "sh", "-c", "sleep 1; kill -HUP 1"]',
        '["env", "X=1", "sh", "-c", "kill -HUP 1"]',
        '["tini", "-s", "--", "sh", "-c", "kill -HUP 1"]',
        '["/bin/bash", "-ec", "exec kill -HUP 1"]',
        '["sh", "-c", "trap \'kill -HUP 1\' TERM; sleep infinity & wait"]',
        '["sh", "-c", "sh -c \'bash -c \\"kill -HUP 1\\"\'"]',
        '["sh", "-c", "echo $(kill -HUP 1)"]',
        '["sh", "-c", "nohup timeout 5 kill -HUP 1"]',
      ];
      for (const command of commands) {
        const found = diagnose(sharedPod(`      command: ${command}\n`));
        assert.deepEqual(
          found.map((d) => d.code).filter((code) => code === 'ppe-kill-pid1'),
          ['ppe-kill-pid1'],
          command,
        );
        assert.match(found.find((d) => d.code === 'ppe-kill-pid1')?.text ?? '', /kill -HUP 1/);
      }
    });

    it('places the range on the command in every YAML scalar style', () => {
      const styles = [
        '        - |\n          while true; do\n            sleep 30; kill -HUP 1\n          done\n',
        '        - >-\n          while true; do sleep 30;\n          kill -HUP 1; done\n',
        "        - 'while true; do echo ''x''; kill -HUP 1; done'\n",
        '        - "while true; do echo \\"x\\"; kill -HUP 1; done"\n',
        '        - while true; do sleep 30;\n          kill -HUP 1; done\n',
      ];
      for (const style of styles) {
        const text = sharedPod(`      command:\n        - sh\n        - -c\n${style}`);
        assert.deepEqual(
          diagnose(text).map((d) => [d.code, d.text]),
          [['ppe-kill-pid1', 'kill -HUP 1']],
          style,
        );
      }
    });

    it('ignores kill 1 in comments, here-documents, quoted text and echo', () => {
      for (const script of [
        'sleep 1 # then kill -HUP 1',
        'cat <<EOF\nkill -HUP 1\nEOF',
        'echo "kill -HUP 1"',
        "logger 'run kill -HUP 1 to reload'",
      ]) {
        assert.deepEqual(
          codes(sharedPod(`      command: ["sh", "-c", ${JSON.stringify(script)}]\n`)),
          [],
          script,
        );
      }
    });

    it('ignores other PIDs, signal 0 and kill -l', () => {
      for (const command of [
        '["kill", "-HUP", "12"]',
        '["kill", "-0", "1"]',
        '["kill", "-l", "1"]',
        '["sh", "-c", "kill -HUP 11"]',
      ]) {
        assert.deepEqual(codes(sharedPod(`      command: ${command}\n`)), [], command);
      }
    });
  });

  describe('ppe-tini-without-subreaper', () => {
    it('hints at tini without -s, not with -s or TINI_SUBREAPER', () => {
      const found = diagnose(fixture('pid-one.yaml')).filter(
        (d) => d.code === 'ppe-tini-without-subreaper',
      );
      assert.deepEqual(
        found.map((d) => [d.text, d.line]),
        [['tini', 51]],
      );
    });

    it('adds -s after tini in a block sequence', () => {
      const text = sharedPod('      command:\n        - tini\n        - --\n        - app\n');
      assert.equal(
        applyFix(text, 'ppe-tini-without-subreaper', /-s/),
        sharedPod('      command:\n        - tini\n        - -s\n        - --\n        - app\n'),
      );
    });

    it('adds -s after tini in a flow sequence and in JSON', () => {
      const text = sharedPod('      command: ["tini", "--", "app"]\n');
      assert.equal(
        applyFix(text, 'ppe-tini-without-subreaper', /-s/),
        sharedPod('      command: ["tini", "-s", "--", "app"]\n'),
      );
      const json = applyFix(fixture('deployment.json'), 'ppe-tini-without-subreaper', /-s/);
      assert.ok(json.includes('"command": ["tini", "-s", "--", "sh"]'));
    });
  });
});

describe('rules: PID 1, at their edges', () => {
  const found = (container: string) => diagnose(sharedPod(container)).map((d) => [d.code, d.text]);

  it('flags each init by its basename, and not in hooks or probes', () => {
    for (const init of [
      'init',
      '/sbin/init',
      'systemd',
      '/usr/lib/systemd/systemd',
      'runit',
      'runit-init',
    ]) {
      assert.deepEqual(found(`      command: [${JSON.stringify(init)}]\n`), [
        ['ppe-init-needs-pid1', JSON.stringify(init)],
      ]);
    }
    assert.deepEqual(found('      command: ["/sbin/initctl"]\n'), []);
    assert.deepEqual(
      found(
        '      lifecycle:\n        postStart:\n          exec:\n            command: ["/sbin/init"]\n',
      ),
      [],
    );
    assert.deepEqual(
      found('      livenessProbe:\n        exec:\n          command: ["sh", "-c", "systemd"]\n'),
      [],
    );
    assert.deepEqual(found('      command: ["toybox", "init"]\n'), []);
    assert.deepEqual(found('      command: ["/bin/busybox", "init"]\n'), [
      ['ppe-init-needs-pid1', '"/bin/busybox", "init"'],
    ]);
    assert.match(
      diagnose(sharedPod('      command: ["/bin/busybox", "init"]\n'))[0].message,
      /^busybox init expects/,
    );
  });

  it('looks for tini only as the main program written in the command', () => {
    assert.deepEqual(found('      command: ["/usr/bin/tini-static", "app"]\n'), [
      ['ppe-tini-without-subreaper', '"/usr/bin/tini-static"'],
    ]);
    assert.deepEqual(found('      args: ["tini", "app"]\n'), []);
    assert.deepEqual(found('      command: ["sh", "-c", "tini app"]\n'), []);
    assert.deepEqual(found('      command: ["app", "tini"]\n'), []);
    assert.deepEqual(found('      command: ["tinier"]\n'), [
      ['ppe-tini-without-subreaper', '"tinier"'],
    ]);
    assert.deepEqual(
      found(
        '      command: ["tini", "--"]\n      env:\n        - name: TINI_SUBREAPER\n          value: ""\n',
      ),
      [],
    );
  });

  it('takes -s in any group of short options, and only before the program', () => {
    assert.deepEqual(found('      command: ["tini", "-vs", "--", "app"]\n'), []);
    assert.deepEqual(found('      command: ["tini", "-gsv", "app"]\n'), []);
    assert.deepEqual(found('      command: ["tini", "-v", "--", "app", "-s"]\n'), [
      ['ppe-tini-without-subreaper', '"tini"'],
    ]);
    assert.deepEqual(found('      command: ["tini", "-p", "-s", "app"]\n'), [
      ['ppe-tini-without-subreaper', '"tini"'],
    ]);
    assert.deepEqual(found('      command: ["tini", "--sub", "app"]\n'), [
      ['ppe-tini-without-subreaper', '"tini"'],
    ]);
  });

  it('adds -s right after tini, its options and the args left as they are', () => {
    const text = sharedPod('      command: ["tini"]\n      args: ["-v", "--", "app"]\n');
    assert.equal(
      applyFix(text, 'ppe-tini-without-subreaper', /-s/),
      sharedPod('      command: ["tini", "-s"]\n      args: ["-v", "--", "app"]\n'),
    );
  });

  it('names each signal once per message, however many kills send it', () => {
    const text = sharedPod(
      `      command: ["sh", "-c", "${'kill -HUP 1; kill -USR2 1; '.repeat(3)}"]\n`,
    );
    const messages = diagnose(text).map((d) => d.message);
    assert.equal(messages.length, 6);
    assert.equal(new Set(messages).size, 2);
    assert.match(messages[1], /ignores SIGUSR2/);
  });
});
