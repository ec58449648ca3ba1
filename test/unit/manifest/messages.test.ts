// The English words a reader of the Problems panel and the quick fix menu sees, rule by rule: for
// one container, and for several that share the place of a finding through a YAML anchor.
import assert from 'node:assert/strict';
import { ManifestChecker, checkSafely } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { diagnose } from './manifestTestSupport';

const SHARED = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: web',
  'spec:',
  '  shareProcessNamespace: true',
];

/** Messages by the text they cover, for one rule code. */
function messages(text: string, code: string): [string, string][] {
  return diagnose(text)
    .filter((found) => found.code === code)
    .map((found) => [found.text, found.message]);
}

/** The related information and fix titles of each finding of `code`. */
function details(text: string, code: string) {
  return new ManifestChecker()
    .findings('file:///m.yaml', text, DEFAULT_SETTINGS.maxFileSize)
    .filter(({ finding }) => finding.code === code)
    .map(({ finding }) => ({
      related: finding.related.map((info) => [
        text.slice(info.span.start, info.span.end),
        info.message,
      ]),
      fixes: finding.fixes.map((fix) => fix.title),
    }));
}

const SHARED_HERE = ['shareProcessNamespace', 'The pod shares one process namespace here.'];

describe('messages and fix titles', () => {
  describe('pod spec fields', () => {
    const conflict = [
      ...SHARED,
      '  hostPID: true',
      '  containers:',
      '    - name: app',
      '      image: nginx',
      '',
    ].join('\n');

    it('words the hostPID conflict, points at hostPID, and offers to remove either', () => {
      assert.deepEqual(messages(conflict, 'ppe-host-pid-conflict'), [
        [
          'shareProcessNamespace',
          'shareProcessNamespace and hostPID cannot both be enabled: the API server rejects this pod ("ShareProcessNamespace and HostPID cannot both be enabled"). Share the pod\'s own process namespace or use the node\'s, not both.',
        ],
      ]);
      assert.deepEqual(details(conflict, 'ppe-host-pid-conflict'), [
        {
          related: [['hostPID', 'hostPID is enabled here.']],
          fixes: ['Remove hostPID', 'Remove shareProcessNamespace'],
        },
      ]);
    });

    it('words a quoted string, another value and YAML 1.1 words, with and without %YAML 1.1', () => {
      const pod = (spec: string, directive = '') =>
        `${directive}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${spec}  containers: [{name: a, image: x}]\n`;
      assert.deepEqual(messages(pod('  hostPID: "false"\n'), 'ppe-not-boolean'), [
        [
          '"false"',
          'hostPID must be a boolean, not a quoted string: the API server cannot decode a string into a boolean and rejects the manifest.',
        ],
      ]);
      assert.deepEqual(
        messages(pod("  hostPID: 'false'\n"), 'ppe-not-boolean')[0][1].slice(0, 41),
        'hostPID must be a boolean, not a quoted s',
      );
      assert.deepEqual(messages(pod('  shareProcessNamespace: 1\n'), 'ppe-not-boolean'), [
        [
          '1',
          'shareProcessNamespace must be a boolean (true or false): the API server cannot decode this value into a boolean and rejects the manifest.',
        ],
      ]);
      assert.deepEqual(messages(pod('  shareProcessNamespace: yes\n'), 'ppe-yaml11-boolean'), [
        [
          'yes',
          'shareProcessNamespace is written as a YAML 1.1 boolean. kubectl reads it as true, but YAML 1.2 tools (and many linters and templating tools) read the string "yes". Write true.',
        ],
      ]);
      assert.deepEqual(
        messages(pod('  hostPID: off\n', '%YAML 1.1\n---\n'), 'ppe-yaml11-boolean'),
        [
          [
            'off',
            'hostPID is written as a YAML 1.1 boolean. This document declares %YAML 1.1, so kubectl reads it as false, but tools that read YAML 1.2 whatever the directive says (many linters and templating tools) read the string "off". Write false.',
          ],
        ],
      );
      // A %YAML 1.2 directive declares no YAML 1.1 boolean.
      assert.match(
        messages(pod('  hostPID: off\n', '%YAML 1.2\n---\n'), 'ppe-yaml11-boolean')[0][1],
        /^hostPID is written as a YAML 1\.1 boolean\. kubectl reads it as false/,
      );
      assert.deepEqual(details(pod('  hostPID: off\n'), 'ppe-yaml11-boolean'), [
        { related: [], fixes: ['Change hostPID to false'] },
      ]);
      assert.deepEqual(details(pod('  hostPID: 0\n'), 'ppe-not-boolean'), [
        { related: [], fixes: ['Change hostPID to false'] },
      ]);
    });

    it('words a misplaced field with its path, and offers to move or remove it', () => {
      const text = [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: p}',
        'spec:',
        '  containers:',
        '    - name: a',
        '      image: x',
        '      hostPID: false',
        '',
      ].join('\n');
      assert.deepEqual(messages(text, 'ppe-misplaced-field'), [
        [
          'hostPID',
          'hostPID is not a field of spec.containers[0]: it belongs in the pod spec at spec. The API server rejects unknown fields (or, without strict validation, drops them), so this setting has no effect here.',
        ],
      ]);
      assert.deepEqual(details(text, 'ppe-misplaced-field'), [
        { related: [], fixes: ['Move hostPID to spec', 'Remove hostPID'] },
      ]);
    });

    it('names the kind for a field at the top of the document', () => {
      const text =
        'apiVersion: batch/v1\nkind: Job\nhostPID: false\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n';
      assert.deepEqual(messages(text, 'ppe-misplaced-field'), [
        [
          'hostPID',
          'hostPID is not a field of Job: it belongs in the pod spec at spec.template.spec. The API server rejects unknown fields (or, without strict validation, drops them), so this setting has no effect here.',
        ],
      ]);
    });

    it('words a misspelled field and offers the right name', () => {
      const text = [
        ...SHARED.slice(0, 5),
        '  hostPid: false',
        '  containers: [{name: a, image: x}]',
        '',
      ].join('\n');
      assert.deepEqual(messages(text, 'ppe-misspelled-field'), [
        [
          'hostPid',
          'Unknown pod spec field: did you mean hostPID? Field names are case-sensitive; the API server rejects unknown fields (or drops them without strict validation).',
        ],
      ]);
      assert.deepEqual(details(text, 'ppe-misspelled-field'), [
        { related: [], fixes: ['Change to hostPID'] },
      ]);
    });
  });

  describe('PID 1', () => {
    const text = [
      ...SHARED,
      '  containers:',
      '    - name: app',
      '      image: x',
      '      command: ["tini", "--", "/usr/sbin/init"]',
      '    - name: reloader',
      '      image: busybox',
      '      command: ["sh", "-c", "kill -HUP 1; kill -INT 1; kill 1"]',
      '',
    ].join('\n');

    it('words an init, tini without -s, and each signal sent to PID 1', () => {
      assert.deepEqual(messages(text, 'ppe-init-needs-pid1'), [
        [
          '"/usr/sbin/init"',
          '/usr/sbin/init expects to run as PID 1, but in a pod that shares its process namespace PID 1 is the pod sandbox (pause). The init may refuse to start or fail to manage its services; run it in a pod without shareProcessNamespace.',
        ],
      ]);
      assert.deepEqual(messages(text, 'ppe-tini-without-subreaper'), [
        [
          '"tini"',
          'tini is not PID 1 in a pod that shares its process namespace, so orphaned processes are not re-parented to it and their zombies are not reaped. Start it with -s (or set TINI_SUBREAPER) to register it as a child subreaper.',
        ],
      ]);
      const ignored = (signal: string) =>
        `This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: the sandbox ignores SIG${signal}, so nothing happens. Signal the intended process by its own PID.`;
      const stops = (signal: string) =>
        `This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: SIG${signal} makes the sandbox exit and stops the whole pod. Signal the intended process by its own PID.`;
      assert.deepEqual(messages(text, 'ppe-kill-pid1'), [
        ['kill -HUP 1', ignored('HUP')],
        ['kill -INT 1', stops('INT')],
        ['kill 1', stops('TERM')],
      ]);
    });

    it('points every PID 1 finding at shareProcessNamespace, and titles the tini fix', () => {
      assert.deepEqual(details(text, 'ppe-init-needs-pid1'), [
        { related: [SHARED_HERE], fixes: [] },
      ]);
      assert.deepEqual(details(text, 'ppe-kill-pid1').length, 3);
      for (const found of details(text, 'ppe-kill-pid1')) {
        assert.deepEqual(found, { related: [SHARED_HERE], fixes: [] });
      }
      assert.deepEqual(details(text, 'ppe-tini-without-subreaper'), [
        { related: [SHARED_HERE], fixes: ['Add -s (register tini as a subreaper)'] },
      ]);
    });
  });

  describe('secrets', () => {
    const text = [
      ...SHARED,
      '  containers:',
      '    - name: app',
      '      image: x',
      '      env:',
      '        - name: DB_PASSWORD',
      '          value: hunter2hunter2',
      '        - name: TOKEN',
      '          valueFrom:',
      '            secretKeyRef: {name: s, key: t}',
      '      envFrom:',
      '        - secretRef: {name: all}',
      '    - name: client',
      '      image: x',
      '      command: ["sh", "-c", "mysql -phunter2hunter2"]',
      '  volumes:',
      '    - name: creds',
      '      secret: {secretName: c}',
      '    - name: tok',
      '      projected:',
      '        sources:',
      '          - serviceAccountToken: {path: t}',
      '',
    ].join('\n');

    it('words literal values, references and volumes', () => {
      assert.deepEqual(messages(text, 'ppe-secret-env-literal'), [
        [
          'hunter2hunter2',
          'The environment variable DB_PASSWORD holds a literal value that looks like a secret. It is written in the manifest, and in a pod that shares its process namespace other containers can read it from /proc/<pid>/environ. Keep it in a Secret.',
        ],
      ]);
      assert.deepEqual(messages(text, 'ppe-secret-env-reference'), [
        [
          'secretKeyRef',
          "The Secret value in TOKEN becomes part of the process environment. In a pod that shares its process namespace, other containers can read /proc/<pid>/environ, protected only by user IDs and the ptrace access check. Consider mounting the Secret as a file readable only by this container's user.",
        ],
        [
          'secretRef',
          "Every key of this Secret becomes an environment variable. In a pod that shares its process namespace, other containers can read /proc/<pid>/environ of this container's processes, protected only by user IDs and the ptrace access check.",
        ],
      ]);
      assert.deepEqual(messages(text, 'ppe-secret-arg-literal'), [
        [
          '-phunter2hunter2',
          'A literal secret is passed on the command line (-p). In a pod that shares its process namespace, every container can read it from /proc/<pid>/cmdline. Pass it in a file mounted from a Secret instead.',
        ],
      ]);
      assert.deepEqual(messages(text, 'ppe-secret-volume'), [
        [
          'secret',
          'The volume creds holds Secret data. In a pod that shares its process namespace, other containers can reach it through /proc/<pid>/root of any process that mounts it; only file permissions and the ptrace access check protect it.',
        ],
        [
          'projected',
          'The volume tok holds a service account token. In a pod that shares its process namespace, other containers can reach it through /proc/<pid>/root of any process that mounts it; only file permissions and the ptrace access check protect it.',
        ],
      ]);
    });

    it('names a credential-shaped value that has no name of its own', () => {
      const shaped = [
        ...SHARED,
        '  containers:',
        '    - name: app',
        '      image: x',
        '      args: ["--verbose", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"]',
        '',
      ].join('\n');
      assert.deepEqual(
        messages(shaped, 'ppe-secret-arg-literal').map(([, message]) => message),
        [
          'A literal secret is passed on the command line (a value shaped like a credential). In a pod that shares its process namespace, every container can read it from /proc/<pid>/cmdline. Pass it in a file mounted from a Secret instead.',
        ],
      );
    });

    it('points every secret finding at shareProcessNamespace, and titles the secretKeyRef fix', () => {
      assert.deepEqual(details(text, 'ppe-secret-env-literal'), [
        { related: [SHARED_HERE], fixes: ['Read DB_PASSWORD from a Secret (secretKeyRef)'] },
      ]);
      for (const code of [
        'ppe-secret-env-reference',
        'ppe-secret-arg-literal',
        'ppe-secret-volume',
      ]) {
        for (const found of details(text, code)) {
          assert.deepEqual(found, { related: [SHARED_HERE], fixes: [] }, code);
        }
      }
    });
  });

  describe('debug containers', () => {
    const one = [
      ...SHARED,
      '  containers:',
      '    - name: app',
      '      image: x',
      '      securityContext:',
      '        capabilities:',
      '          add: [ALL]',
      '    - name: ptr',
      '      image: x',
      '      securityContext:',
      '        capabilities:',
      '          add: [SYS_PTRACE]',
      '    - name: priv',
      '      image: x',
      '      securityContext:',
      '        privileged: true',
      '    - name: shell',
      '      image: busybox',
      '      stdin: true',
      '',
    ].join('\n');

    const several = [
      'x-shell: &shell',
      '  image: busybox',
      '  stdin: true',
      '  securityContext:',
      '    runAsUser: 1000',
      ...SHARED,
      '  containers:',
      '    - name: a',
      '      image: x',
      '      securityContext: &all',
      '        capabilities:',
      '          add: [ALL]',
      '    - name: b',
      '      image: x',
      '      securityContext: *all',
      '    - name: c',
      '      image: x',
      '      securityContext: &pt',
      '        capabilities:',
      '          add: [SYS_PTRACE]',
      '    - name: d',
      '      image: x',
      '      securityContext: *pt',
      '    - name: e',
      '      image: x',
      '      securityContext: &priv',
      '        privileged: true',
      '    - name: f',
      '      image: x',
      '      securityContext: *priv',
      '    - <<: *shell',
      '      name: g',
      '    - <<: *shell',
      '      name: h',
      '',
    ].join('\n');

    it('words ALL, SYS_PTRACE, privileged and a debug shell for one container', () => {
      assert.deepEqual(messages(one, 'ppe-ptrace-breaks-baseline'), [
        [
          'ALL',
          'Adding ALL capabilities (SYS_PTRACE among them) lets app inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        ],
        [
          'SYS_PTRACE',
          'Adding SYS_PTRACE lets ptr inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        ],
      ]);
      assert.deepEqual(messages(one, 'ppe-privileged-in-shared-pod'), [
        [
          'true',
          'priv is privileged in a pod that shares its process namespace: it can read the memory, environment and files of every process of the pod and trace them, more than SYS_PTRACE allows, and reach the node\'s devices. Pod Security "baseline" forbids it.',
        ],
      ]);
      assert.deepEqual(messages(one, 'ppe-debug-without-ptrace'), [
        [
          'stdin',
          'shell looks like a debug shell (stdin/tty). Without the SYS_PTRACE capability it cannot read /proc/<pid>/root or /proc/<pid>/environ of processes that run as another user (nginx workers, for example). Sending signals does not need it: the same user or CAP_KILL is enough.',
        ],
      ]);
      assert.deepEqual(details(one, 'ppe-debug-without-ptrace'), [
        {
          related: [SHARED_HERE],
          fixes: ['Add SYS_PTRACE to shell (Pod Security "baseline" forbids it)'],
        },
      ]);
      assert.deepEqual(details(one, 'ppe-privileged-in-shared-pod'), [
        { related: [SHARED_HERE], fixes: [] },
      ]);
    });

    it('words them for the containers that share one place', () => {
      assert.deepEqual(messages(several, 'ppe-ptrace-breaks-baseline'), [
        [
          'ALL',
          'Adding ALL capabilities (SYS_PTRACE among them) lets the containers a, b inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        ],
        [
          'SYS_PTRACE',
          'Adding SYS_PTRACE lets the containers c, d inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        ],
      ]);
      assert.deepEqual(messages(several, 'ppe-privileged-in-shared-pod'), [
        [
          'true',
          'The containers e, f are privileged in a pod that shares its process namespace: they can read the memory, environment and files of every process of the pod and trace them, more than SYS_PTRACE allows, and reach the node\'s devices. Pod Security "baseline" forbids it.',
        ],
      ]);
      assert.deepEqual(messages(several, 'ppe-debug-without-ptrace'), [
        [
          'stdin',
          'The containers g, h look like debug shells (stdin/tty). Without the SYS_PTRACE capability they cannot read /proc/<pid>/root or /proc/<pid>/environ of processes that run as another user (nginx workers, for example). Sending signals does not need it: the same user or CAP_KILL is enough.',
        ],
      ]);
      assert.deepEqual(details(several, 'ppe-debug-without-ptrace'), [
        {
          related: [SHARED_HERE],
          fixes: ['Add SYS_PTRACE to g, h (Pod Security "baseline" forbids it)'],
        },
      ]);
    });
  });

  describe('documents not checked', () => {
    it('words a syntax error with the parser’s code, over the rest of its line', () => {
      const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [a\n  hostPID: true\n';
      assert.deepEqual(
        diagnose(text).map((found) => [found.code, found.message]),
        [
          [
            'ppe-yaml-syntax',
            'This manifest is not valid YAML (BAD_INDENT), so Pod Process Explorer did not check it.',
          ],
        ],
      );
    });

    it('words a file over the size limit with the limit, over its first line', () => {
      const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';
      assert.deepEqual(
        diagnose(text, { ...DEFAULT_SETTINGS, maxFileSize: 20 }).map((found) => [
          found.text,
          found.message,
        ]),
        [
          [
            'apiVersion: v1',
            'This file has more than 20 characters, so Pod Process Explorer did not check it. Raise podProcessExplorer.manifest.maxFileSize to check it.',
          ],
        ],
      );
      assert.deepEqual(
        diagnose('kind: Pod', { ...DEFAULT_SETTINGS, maxFileSize: 5 }).map((found) => found.text),
        ['kind: Pod'],
      );
    });

    it('words a document the checks threw on with the error, over its first content line', () => {
      const text = '# a pod\n\nkind: Pod\nmetadata: {}\n';
      const thrown = checkSafely(text, () => {
        throw new RangeError('Maximum call stack size exceeded');
      });
      assert.deepEqual(
        thrown.findings.map((finding) => [
          finding.code,
          text.slice(finding.span.start, finding.span.end),
          finding.message,
        ]),
        [
          [
            'ppe-yaml-syntax',
            'kind: Pod',
            'Pod Process Explorer could not read this manifest (Maximum call stack size exceeded), so it did not check it.',
          ],
        ],
      );
      const notAnError = checkSafely('kind: Pod', () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'no stack';
      });
      assert.deepEqual(
        notAnError.findings.map((finding) => [finding.span, finding.message]),
        [
          [
            { start: 0, end: 9 },
            'Pod Process Explorer could not read this manifest (no stack), so it did not check it.',
          ],
        ],
      );
      assert.equal(notAnError.error, 'no stack');
    });
  });
});
