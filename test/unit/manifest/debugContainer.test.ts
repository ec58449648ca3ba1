import assert from 'node:assert/strict';
import { hoverAt } from '../../../src/manifest/server/hover';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { applyFix, codes, diagnose, fixture } from './manifestTestSupport';

describe('rules: debug containers', () => {
  it('informs when a stdin/tty container lacks SYS_PTRACE, and warns of a privileged one', () => {
    const found = diagnose(fixture('debug.yaml'));
    assert.deepEqual(
      found.map((d) => [d.code, d.text, d.line]),
      [
        ['ppe-debug-without-ptrace', 'stdin', 11],
        ['ppe-debug-without-ptrace', 'tty', 15],
        ['ppe-debug-without-ptrace', 'stdin', 20],
        ['ppe-debug-without-ptrace', 'stdin', 26],
        ['ppe-privileged-in-shared-pod', 'true', 35],
      ],
    );
  });

  it('asks SYS_PTRACE only of a shell, not of any program with stdin/tty (nginx -i)', () => {
    const pod = (container: string) =>
      `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  shareProcessNamespace: true
  containers:
    - name: app
      image: registry.example/app:1
    - name: c
${container}
      stdin: true
      tty: true
`;
    const debugCodes = (container: string) =>
      diagnose(pod(container)).filter((d) => d.code === 'ppe-debug-without-ptrace').length;
    assert.equal(debugCodes('      image: nginx:1.27'), 0);
    assert.equal(
      debugCodes('      image: my/app\n      command: ["nginx", "-g", "daemon off;"]'),
      0,
    );
    assert.equal(debugCodes('      image: docker.io/library/busybox:1.36'), 1);
    assert.equal(
      debugCodes('      image: busybox\n      command: ["tini", "--", "sleep", "infinity"]'),
      1,
    );
    assert.equal(debugCodes('      image: nicolaka/netshoot'), 1);
    assert.equal(debugCodes('      image: my/app\n      command: ["/bin/bash"]'), 1);
    assert.equal(debugCodes('      image: my/app\n      command: ["dumb-init", "--", "sh"]'), 1);
  });

  it('explains privileged on hover: every process of the pod, more than SYS_PTRACE', () => {
    const text = fixture('debug.yaml');
    const hover = hoverAt(text, text.indexOf('privileged: true') + 2);
    assert.match(hover?.markdown ?? '', /\*\*privileged\*\*/);
    assert.match(hover?.markdown ?? '', /more than SYS_PTRACE/);
    const [placed] = new ManifestChecker()
      .findings('t', text, DEFAULT_SETTINGS.maxFileSize)
      .filter(({ finding }) => finding.code === 'ppe-privileged-in-shared-pod');
    assert.match(placed.finding.message, /^privileged is privileged in a pod that shares/);
  });

  it('informs that SYS_PTRACE breaks Pod Security baseline (the task page pod)', () => {
    assert.deepEqual(
      diagnose(fixture('task-page.yaml')).map((d) => [d.code, d.text]),
      [['ppe-ptrace-breaks-baseline', 'SYS_PTRACE']],
    );
  });

  it('counts capabilities.add: [ALL] as SYS_PTRACE', () => {
    const text = fixture('task-page.yaml').replace(/add:\s*\n\s*- SYS_PTRACE/, 'add: [ALL]');
    assert.ok(text.includes('add: [ALL]'));
    const found = diagnose(text);
    assert.deepEqual(
      found.map((d) => [d.code, d.text]),
      [['ppe-ptrace-breaks-baseline', 'ALL']],
    );
    assert.match(found[0].message, /ALL capabilities \(SYS_PTRACE among them\)/);
  });

  it('says in the fix title that SYS_PTRACE trades the Pod Security baseline', () => {
    const [placed] = new ManifestChecker()
      .findings('t', fixture('debug.yaml'), DEFAULT_SETTINGS.maxFileSize)
      .filter(({ finding }) => finding.code === 'ppe-debug-without-ptrace');
    assert.deepEqual(
      placed.finding.fixes.map((f) => f.title),
      ['Add SYS_PTRACE to shell (Pod Security "baseline" forbids it)'],
    );
  });

  it('is quiet in a pod that does not share its namespace', () => {
    assert.deepEqual(
      codes(
        fixture('debug.yaml').replace(
          'shareProcessNamespace: true',
          'shareProcessNamespace: false',
        ),
      ),
      [],
    );
  });

  const fixedContainers = (text: string) => {
    let fixed = text;
    for (let pass = 0; pass < 4; pass++) {
      fixed = applyFix(fixed, 'ppe-debug-without-ptrace', /SYS_PTRACE/);
    }
    return fixed;
  };

  it('adds SYS_PTRACE wherever the container has none: new securityContext, capabilities, add, or item', () => {
    const fixed = fixedContainers(fixture('debug.yaml'));
    assert.deepEqual(
      codes(fixed).filter((code) => code === 'ppe-debug-without-ptrace'),
      [],
    );
    assert.equal(codes(fixed).filter((code) => code === 'ppe-ptrace-breaks-baseline').length, 4);
    assert.equal(
      fixed,
      `apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  shareProcessNamespace: true
  containers:
    - name: app
      image: nginx
    - name: shell
      image: busybox
      stdin: true
      tty: true
      securityContext:
        capabilities:
          add:
            - SYS_PTRACE
    - name: shell-with-context
      image: busybox
      tty: true
      securityContext:
        capabilities:
          add:
            - SYS_PTRACE
        runAsUser: 0
    - name: shell-with-caps
      image: busybox
      stdin: true
      securityContext:
        capabilities:
          add:
            - SYS_PTRACE
          drop: [ALL]
    - name: shell-with-add
      image: busybox
      stdin: true
      securityContext:
        capabilities:
          add:
            - NET_ADMIN
            - SYS_PTRACE
    - name: privileged
      image: busybox
      stdin: true
      securityContext:
        privileged: true
`,
    );
  });

  it('adds SYS_PTRACE in JSON', () => {
    const fixed = applyFix(fixture('deployment.json'), 'ppe-debug-without-ptrace', /SYS_PTRACE/);
    const parsed = JSON.parse(fixed) as {
      spec: { template: { spec: { containers: { securityContext?: unknown }[] } } };
    };
    assert.deepEqual(parsed.spec.template.spec.containers[1].securityContext, {
      capabilities: { add: ['SYS_PTRACE'] },
    });
  });
});

describe('rules: debug containers, at their edges', () => {
  const pod = (...fields: string[]) =>
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  shareProcessNamespace: true',
      '  containers:',
      '    - name: shell',
      ...fields.map((field) => `      ${field}`),
      '',
    ].join('\n');
  const found = (...fields: string[]) => diagnose(pod(...fields)).map((d) => [d.code, d.text]);
  const fixTitles = (...fields: string[]) =>
    new ManifestChecker()
      .findings('f', pod(...fields), DEFAULT_SETTINGS.maxFileSize)
      .flatMap(({ finding }) => finding.fixes.map((fix) => fix.title));

  it('takes stdin or tty only when Kubernetes reads them as true', () => {
    assert.deepEqual(found('image: busybox', 'stdin: false', 'tty: "true"'), []);
    assert.deepEqual(found('image: busybox', 'stdin: yes'), [
      ['ppe-debug-without-ptrace', 'stdin'],
    ]);
    assert.deepEqual(found('image: busybox', 'stdin: false', 'tty: on'), [
      ['ppe-debug-without-ptrace', 'tty'],
    ]);
    assert.deepEqual(found('image: busybox'), []);
  });

  it('reads the shell from the command, or from args without one, past init wrappers', () => {
    const debug = (...fields: string[]) =>
      found('image: my/app', 'stdin: true', ...fields).filter(
        ([code]) => code === 'ppe-debug-without-ptrace',
      ).length;
    assert.equal(debug('args: ["/bin/sh"]'), 1);
    assert.equal(debug('args: ["app"]'), 0);
    assert.equal(debug('command: ["app"]', 'args: ["sh"]'), 0);
    assert.equal(debug('command: ["/sbin/tini", "-s", "--", "/bin/ash"]'), 1);
    assert.equal(debug('command: ["env", "exec", "catatonit", "zsh"]'), 1);
    assert.equal(debug('command: ["fish"]'), 1);
    assert.equal(debug('command: ["python"]'), 0);
    assert.equal(debug('command: [1, "--", "-l"]'), 0);
    assert.equal(debug('command: ["shell"]'), 0);
    assert.equal(debug(), 0);
  });

  it('reports SYS_PTRACE or privileged, and then asks nothing more of that container', () => {
    assert.deepEqual(
      found(
        'image: busybox',
        'stdin: true',
        'securityContext:',
        '  privileged: true',
        '  capabilities: {add: [CAP_SYS_PTRACE]}',
      ),
      [['ppe-ptrace-breaks-baseline', 'CAP_SYS_PTRACE']],
    );
    assert.deepEqual(
      found('image: busybox', 'stdin: true', 'securityContext: {privileged: true}'),
      [['ppe-privileged-in-shared-pod', 'true']],
    );
    assert.deepEqual(
      found('image: busybox', 'stdin: true', 'securityContext: {privileged: "true"}'),
      [['ppe-debug-without-ptrace', 'stdin']],
    );
    assert.deepEqual(
      found('image: busybox', 'securityContext: {capabilities: {add: [NET_ADMIN, 42, SYS_ADMIN]}}'),
      [],
    );
  });

  it('offers no SYS_PTRACE fix where the securityContext or its capabilities are no maps', () => {
    assert.deepEqual(fixTitles('image: busybox', 'stdin: true', 'securityContext: ~'), []);
    assert.deepEqual(
      fixTitles('image: busybox', 'stdin: true', 'securityContext: {capabilities: []}'),
      [],
    );
    assert.deepEqual(
      fixTitles('image: busybox', 'stdin: true', 'securityContext: {capabilities: {add: x}}'),
      [],
    );
    assert.deepEqual(
      fixTitles('image: busybox', 'stdin: true', 'securityContext: {capabilities: {drop: [ALL]}}'),
      ['Add SYS_PTRACE to shell (Pod Security "baseline" forbids it)'],
    );
    assert.equal(
      applyFix(
        pod('image: busybox', 'stdin: true', 'securityContext: {capabilities: {drop: [ALL]}}'),
        'ppe-debug-without-ptrace',
        /SYS_PTRACE/,
      ),
      pod(
        'image: busybox',
        'stdin: true',
        'securityContext: {capabilities: {"add": ["SYS_PTRACE"], drop: [ALL]}}',
      ),
    );
  });

  it('points its own key first when stdin is merged in and tty is written in the container', () => {
    const text = [
      'x-base: &base',
      '  stdin: true',
      ...pod('<<: *base', 'image: busybox', 'tty: true').split('\n'),
    ].join('\n');
    assert.deepEqual(
      diagnose(text).map((d) => [d.code, d.text, d.line]),
      [['ppe-debug-without-ptrace', 'tty', 11]],
    );
  });
});
