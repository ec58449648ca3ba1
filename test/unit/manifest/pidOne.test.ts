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
