import assert from 'node:assert/strict';
import { hoverAt } from '../../../src/manifest/server/hover';
import { applyFix, codes, diagnose, fixture } from './manifestTestSupport';
import { parseChunk } from '../../../src/manifest/server/manifestModel';
import { stringValue } from '../../../src/manifest/server/yamlNodes';

const pod = (spec: string, containers = '    - name: app\n      image: nginx\n') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${spec}  containers:\n${containers}`;

describe('documents as kubectl reads them', () => {
  describe('template actions, decided per document', () => {
    it('checks every document a template does not make unknowable', () => {
      assert.deepEqual(
        diagnose(fixture('templates-mixed.yaml')).map((d) => [d.code, d.text, d.line]),
        [
          // Templates in an annotation's and a ConfigMap's strings: the conflict is still found.
          ['ppe-host-pid-conflict', 'shareProcessNamespace', 22],
          ['ppe-kill-pid1', 'kill -HUP 1', 27],
          // hostPID: {{ … }}, a templated key and a templated env item are unknown; the rest
          // of that document is checked.
          ['ppe-kill-pid1', '"kill", "-TERM", "1"', 48],
        ],
      );
    });

    it('skips a document that is YAML only once rendered, and only that one', () => {
      const text = `${pod('  shareProcessNamespace: true\n  hostPID: true\n')}---\n{{- if .Values.x }}\n${pod('  hostPID: yes\n')}{{- end }}\n`;
      assert.deepEqual(codes(text), ['ppe-host-pid-conflict']);
      assert.deepEqual(codes(fixture('helm-template.yaml')), []);
    });

    it('reads a template inside a quoted value as the string it renders', () => {
      // `"{{ .Values.share }}"` renders to a quoted string, which the API server rejects.
      assert.deepEqual(codes(pod('  shareProcessNamespace: "{{ .Values.share }}"\n')), [
        'ppe-not-boolean',
      ]);
    });

    it('does not guess the value of a misplaced field a template writes', () => {
      const text = pod('  shareProcessNamespace: true\n').replace(
        '      image: nginx\n',
        '      image: nginx\n      hostPID: {{ .Values.hostPID }}\n',
      );
      assert.deepEqual(codes(text), ['ppe-misplaced-field']);
      assert.throws(() => applyFix(text, 'ppe-misplaced-field', /^Move/), /no fix/);
      assert.ok(!applyFix(text, 'ppe-misplaced-field', /^Remove/).includes('hostPID'));
    });

    it('says nothing about a boolean a template writes', () => {
      assert.deepEqual(codes(pod('  shareProcessNamespace: {{ .Values.share }}\n')), []);
      assert.deepEqual(
        codes(pod('  shareProcessNamespace: true\n  hostPID: {{ .Values.hostPID }}\n')),
        [],
      );
    });

    it('does not ask for SYS_PTRACE when a template may add capabilities', () => {
      const shell = (context: string) =>
        pod(
          '  shareProcessNamespace: true\n',
          `    - name: shell\n      image: busybox\n      stdin: true\n${context}`,
        );
      assert.deepEqual(codes(shell('')), ['ppe-debug-without-ptrace']);
      assert.deepEqual(codes(shell('      securityContext:\n        {{ .Values.ctx }}: x\n')), []);
    });
  });

  describe('aliases, merge keys and tags', () => {
    it('resolves them before any rule sees a value, and checks kind: List items', () => {
      assert.deepEqual(
        diagnose(fixture('kubectl-yaml.yaml')).map((d) => [d.code, d.text, d.line]),
        [
          // hostPID: *on where on is true.
          ['ppe-host-pid-conflict', 'shareProcessNamespace', 9],
          ['ppe-debug-without-ptrace', 'stdin', 15],
          // shell-two gets stdin from <<: *shell; its own tty: !!bool "true" is named.
          ['ppe-debug-without-ptrace', 'tty', 18],
          // shareProcessNamespace: !!bool "yes" merged in with <<.
          ['ppe-init-needs-pid1', '"/sbin/init"', 30],
        ],
      );
    });

    it('adds SYS_PTRACE to the container that merges an anchor, not to the anchor', () => {
      const fixed = applyFix(
        fixture('kubectl-yaml.yaml'),
        'ppe-debug-without-ptrace',
        /SYS_PTRACE to shell-two/,
        1,
      );
      assert.ok(
        fixed.includes(
          '          tty: !!bool "true"\n          securityContext:\n            capabilities:\n              add:\n                - SYS_PTRACE\n',
        ),
      );
      assert.deepEqual(
        diagnose(fixed)
          .filter((d) => d.code.startsWith('ppe-debug') || d.code.startsWith('ppe-ptrace'))
          .map((d) => [d.code, d.text]),
        [
          ['ppe-debug-without-ptrace', 'stdin'],
          ['ppe-ptrace-breaks-baseline', 'SYS_PTRACE'],
        ],
      );
    });

    it('removes an aliased hostPID, never the anchor its alias needs', () => {
      const text = fixture('kubectl-yaml.yaml');
      const fixed = applyFix(text, 'ppe-host-pid-conflict', /Remove hostPID/);
      assert.ok(!fixed.includes('hostPID: *on'));
      assert.deepEqual(codes(fixed), codes(text).slice(1));
      assert.throws(
        () => applyFix(text, 'ppe-host-pid-conflict', /Remove shareProcessNamespace/),
        /no fix/,
      );
    });

    it('reads !!str as a string and an alias of yes as a YAML 1.1 boolean', () => {
      assert.deepEqual(codes(pod('  shareProcessNamespace: !!str true\n')), ['ppe-not-boolean']);
      const aliased = `x-on: &on yes\n${pod('  shareProcessNamespace: *on\n  hostPID: true\n')}`;
      assert.deepEqual(codes(aliased), ['ppe-host-pid-conflict', 'ppe-yaml11-boolean']);
    });

    it('checks a document of nested aliases (a billion laughs) without expanding it', () => {
      const laughs = ['l0: &l0 [a, b, c, d, e, f, g, h, i, j]'];
      for (let level = 1; level <= 9; level++) {
        laughs.push(
          `l${level}: &l${level} [${Array(10)
            .fill(`*l${level - 1}`)
            .join(', ')}]`,
        );
      }
      const text = `${laughs.join('\n')}\n${pod('  shareProcessNamespace: true\n  hostPID: true\n')}`;
      assert.deepEqual(codes(text), ['ppe-host-pid-conflict']);
      assert.equal(hoverAt(text, text.length - 5), undefined);
    });

    it('leaves an alias inside its own anchor alone', () => {
      assert.deepEqual(codes(`loop: &loop [*loop]\n${pod('  shareProcessNamespace: true\n')}`), []);
    });
  });

  describe('kind: List', () => {
    it('checks each item like a document of its own and hovers on its fields', () => {
      const list = [
        'apiVersion: v1',
        'kind: List',
        'items:',
        ...pod('  shareProcessNamespace: true\n  hostPID: true\n')
          .split('\n')
          .map((line, index) => (index === 0 ? `  - ${line}` : line === '' ? '' : `    ${line}`)),
      ].join('\n');
      assert.deepEqual(codes(list), ['ppe-host-pid-conflict']);
      const fixed = applyFix(list, 'ppe-host-pid-conflict', /hostPID/);
      assert.deepEqual(codes(fixed), []);
      assert.match(
        hoverAt(list, list.indexOf('shareProcessNamespace') + 2)?.markdown ?? '',
        /shareProcessNamespace/,
      );
    });

    it('reports a List that does not parse when an item is a workload', () => {
      const broken =
        'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    spec: [\n';
      assert.deepEqual(codes(broken), ['ppe-yaml-syntax']);
      assert.deepEqual(codes(broken.replace('kind: Pod', 'kind: ConfigMap')), []);
    });

    it('reads typed lists (PodList) from kubectl get -o yaml', () => {
      const json = JSON.stringify({
        apiVersion: 'v1',
        kind: 'PodList',
        items: [
          { apiVersion: 'v1', kind: 'Pod', spec: { shareProcessNamespace: true, hostPID: true } },
        ],
      });
      assert.deepEqual(codes(json), ['ppe-host-pid-conflict']);
    });
  });

  describe('projected volumes', () => {
    const twoContainers =
      '    - name: app\n      image: app\n    - name: sidecar\n      image: sidecar\n';
    const volume = (sources: string) =>
      `${pod('  shareProcessNamespace: true\n', twoContainers)}  volumes:\n    - name: v\n      projected:\n        sources:\n${sources}`;

    it('hold a Secret or a token only when a source is one', () => {
      assert.deepEqual(
        codes(
          volume('          - configMap:\n              name: c\n          - downwardAPI: {}\n'),
        ),
        [],
      );
      const token = diagnose(volume('          - serviceAccountToken:\n              path: t\n'));
      assert.deepEqual(
        token.map((d) => [d.code, d.text]),
        [['ppe-secret-volume', 'projected']],
      );
      assert.match(token[0].message, /service account token/);
      const secret = diagnose(
        volume('          - configMap: {name: c}\n          - secret: {name: s}\n'),
      );
      assert.match(secret[0].message, /holds Secret data/);
    });
  });
});

describe('documents as kubectl reads them: merge keys and anchors in detail', () => {
  const values = (text: string) => {
    const parsed = parseChunk(text);
    assert.equal(parsed.type, 'workloads');
    if (parsed.type !== 'workloads') {
      return [];
    }
    return parsed.workloads[0].containers.map((container) => ({
      name: container.name,
      image: stringValue(container.map, 'image'),
      shared: parsed.workloads[0].shared,
    }));
  };
  const spec = (containers: string, head = '') =>
    `${head}apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${containers}`;

  it('lets a map’s own keys win, then earlier merged maps over later ones', () => {
    const head = 'x-a: &a {image: a, name: from-a}\nx-b: &b {image: b, name: from-b, tty: true}\n';
    assert.deepEqual(values(spec('    - <<: [*a, *b]\n', head)), [
      { name: 'from-a', image: 'a', shared: false },
    ]);
    assert.deepEqual(values(spec('    - <<: [*b, *a]\n', head)), [
      { name: 'from-b', image: 'b', shared: false },
    ]);
    assert.deepEqual(values(spec('    - <<: *a\n      image: own\n', head)), [
      { name: 'from-a', image: 'own', shared: false },
    ]);
    assert.deepEqual(values(spec('    - image: own\n      <<: *b\n', head)), [
      { name: 'from-b', image: 'own', shared: false },
    ]);
  });

  it('merges through a map that merges itself, and ignores what is no map', () => {
    const head = 'x-a: &a {image: a}\nx-b: &b {<<: *a, name: b}\nx-s: &s scalar\n';
    assert.deepEqual(values(spec('    - <<: *b\n', head)), [
      { name: 'b', image: 'a', shared: false },
    ]);
    assert.deepEqual(values(spec('    - <<: [*s, *a]\n      name: c\n', head)), [
      { name: 'c', image: 'a', shared: false },
    ]);
    assert.deepEqual(values(spec('    - <<: {image: inline}\n      name: d\n')), [
      { name: 'd', image: 'inline', shared: false },
    ]);
  });

  it('takes a quoted << for a plain key, not a merge', () => {
    const head = 'x-a: &a {image: a}\n';
    assert.deepEqual(values(spec('    - "<<": *a\n      name: q\n', head)), [
      { name: 'q', image: undefined, shared: false },
    ]);
  });

  it('resolves an alias to the last anchor of its name written before it', () => {
    const text = [
      'x-1: &img first',
      'x-2: &img second',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  containers:',
      '    - {name: a, image: *img}',
      'x-3: &img third',
      '',
    ].join('\n');
    assert.deepEqual(values(text), [{ name: 'a', image: 'second', shared: false }]);
  });

  it('reads !!bool tags of YAML 1.1 words as booleans, and leaves other tags alone', () => {
    const shared = (value: string) =>
      values(
        `apiVersion: v1\nkind: Pod\nspec:\n  shareProcessNamespace: ${value}\n  containers: [{name: a}]\n`,
      )[0].shared;
    assert.equal(shared('!!bool "yes"'), true);
    assert.equal(shared('!!bool " on "'), true);
    assert.equal(shared('!!bool "false"'), false);
    assert.equal(shared('!!str yes'), false);
    assert.equal(shared('!custom yes'), false);
    assert.deepEqual(codes(pod('  shareProcessNamespace: !!bool "maybe"\n')), ['ppe-not-boolean']);
  });

  it('resolves aliases inside sequences, keeping the items in order', () => {
    const text = spec(
      '    - &first {name: a, image: x}\n    - {name: b, image: y}\n    - *first\n',
    );
    assert.deepEqual(
      values(text).map((container) => container.name),
      ['a', 'b', 'a'],
    );
  });

  it('drops templated items and keys, and keeps the rest in order', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  shareProcessNamespace: true',
      '  containers:',
      '    - name: a',
      '      image: x',
      '      securityContext:',
      '        {{ toYaml .Values.securityContext }}: x',
      '      command: ["sh", "-c", "kill -HUP 1"]',
      '    - {{ .Values.sidecar }}',
      '    - name: b',
      '      image: y',
      '      command: ["sh", "-c", "kill -HUP 1"]',
      '',
    ].join('\n');
    assert.deepEqual(
      diagnose(text).map((d) => [d.code, d.line]),
      [
        ['ppe-kill-pid1', 10],
        ['ppe-kill-pid1', 14],
      ],
    );
  });
});
