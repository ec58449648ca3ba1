import assert from 'node:assert/strict';
import { applyFix, codes, diagnose, fixture, parsesCleanly } from './manifestTestSupport';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';

const pod = (spec: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${spec}  containers:\n    - name: app\n      image: nginx\n`;

describe('rules: pod spec fields', () => {
  describe('ppe-host-pid-conflict', () => {
    it('flags shareProcessNamespace with hostPID: true, with related information on hostPID', () => {
      const found = diagnose(pod('  shareProcessNamespace: true\n  hostPID: true\n'));
      assert.deepEqual(
        found.map((d) => [d.code, d.text, d.line]),
        [['ppe-host-pid-conflict', 'shareProcessNamespace', 5]],
      );
    });

    it('counts YAML 1.1 true as kubectl does', () => {
      assert.ok(
        codes(pod('  shareProcessNamespace: on\n  hostPID: yes\n')).includes(
          'ppe-host-pid-conflict',
        ),
      );
    });

    it('is quiet when either is false', () => {
      assert.deepEqual(codes(pod('  shareProcessNamespace: true\n  hostPID: false\n')), []);
      assert.deepEqual(codes(pod('  shareProcessNamespace: false\n  hostPID: true\n')), []);
    });

    it('fixes by removing either field', () => {
      const text = pod('  shareProcessNamespace: true\n  hostPID: true\n');
      assert.equal(
        applyFix(text, 'ppe-host-pid-conflict', /hostPID/),
        pod('  shareProcessNamespace: true\n'),
      );
      assert.equal(
        applyFix(text, 'ppe-host-pid-conflict', /shareProcessNamespace/),
        pod('  hostPID: true\n'),
      );
    });

    it('fixes JSON without leaving a dangling comma', () => {
      const text = fixture('deployment.json');
      const fixed = applyFix(text, 'ppe-host-pid-conflict', /hostPID/);
      assert.ok(!fixed.includes('hostPID'));
      assert.doesNotThrow(() => JSON.parse(fixed) as unknown);
      const other = applyFix(text, 'ppe-host-pid-conflict', /shareProcessNamespace/);
      assert.doesNotThrow(() => JSON.parse(other) as unknown);
      assert.ok(!other.includes('shareProcessNamespace'));
    });
  });

  describe('ppe-not-boolean and ppe-yaml11-boolean', () => {
    it('errors on quoted strings and numbers, warns on YAML 1.1 booleans', () => {
      const found = diagnose(fixture('fields.yaml')).filter((d) => /boolean/.test(d.code));
      assert.deepEqual(
        found.map((d) => [d.code, d.text]),
        [
          ['ppe-not-boolean', '"true"'],
          ['ppe-not-boolean', '0'],
          ['ppe-yaml11-boolean', 'yes'],
          ['ppe-yaml11-boolean', 'off'],
        ],
      );
    });

    it('accepts true, false, True, and an empty value', () => {
      for (const value of ['true', 'false', 'True', '', 'null']) {
        assert.deepEqual(codes(pod(`  shareProcessNamespace: ${value}\n`)), [], value);
      }
    });

    it('flags other strings and collections without offering a guess', () => {
      const found = diagnose(pod('  shareProcessNamespace: enabled\n  hostPID: [true]\n'));
      assert.deepEqual(
        found.map((d) => [d.code, d.text]),
        [
          ['ppe-not-boolean', 'enabled'],
          ['ppe-not-boolean', '[true]'],
        ],
      );
    });

    it('unquotes the boolean', () => {
      const text = pod('  shareProcessNamespace: "true"\n');
      assert.equal(
        applyFix(text, 'ppe-not-boolean', /true/),
        pod('  shareProcessNamespace: true\n'),
      );
      const json = fixture('quoted.json');
      const fixed = applyFix(json, 'ppe-not-boolean', /true/);
      assert.ok(fixed.includes('"shareProcessNamespace": true,'));
    });

    it('says what a %YAML 1.1 directive changes', () => {
      const found = diagnose(`%YAML 1.1\n---\n${pod('  shareProcessNamespace: yes\n')}`);
      assert.deepEqual(
        found.map((d) => [d.code, d.text]),
        [['ppe-yaml11-boolean', 'yes']],
      );
      assert.match(found[0].message, /declares %YAML 1\.1, so kubectl reads it as true/);
      assert.doesNotMatch(diagnose(pod('  shareProcessNamespace: yes\n'))[0].message, /declares/);
    });

    it('never offers a fix that enables hostPID in a shared pod, or sharing next to hostPID', () => {
      const noFix = (text: string, code: 'ppe-not-boolean' | 'ppe-yaml11-boolean') =>
        assert.throws(() => applyFix(text, code, /true/), /no fix/);
      noFix(pod('  shareProcessNamespace: true\n  hostPID: "true"\n'), 'ppe-not-boolean');
      noFix(pod('  shareProcessNamespace: "true"\n  hostPID: true\n'), 'ppe-not-boolean');
      noFix(pod('  shareProcessNamespace: true\n  hostPID: 1\n'), 'ppe-not-boolean');
      // false stays on offer: it resolves nothing into a conflict.
      assert.ok(
        applyFix(
          pod('  shareProcessNamespace: true\n  hostPID: "false"\n'),
          'ppe-not-boolean',
          /false/,
        ).includes('hostPID: false'),
      );
      assert.throws(
        () =>
          applyFix(
            pod('  hostPID: true\n').replace(
              '  name: p\n',
              '  name: p\n  shareProcessNamespace: true\n',
            ),
            'ppe-misplaced-field',
            /^Move/,
          ),
        /no fix/,
      );
      assert.throws(
        () =>
          applyFix(
            pod('  share_process_namespace: true\n  hostPID: true\n'),
            'ppe-misspelled-field',
            /Change/,
          ),
        /no fix/,
      );
    });

    it('replaces a number or a YAML 1.1 word with its boolean', () => {
      const text = pod('  shareProcessNamespace: yes\n  hostPID: 0\n');
      assert.equal(
        applyFix(text, 'ppe-yaml11-boolean', /true/),
        pod('  shareProcessNamespace: true\n  hostPID: 0\n'),
      );
      assert.equal(
        applyFix(text, 'ppe-not-boolean', /false/),
        pod('  shareProcessNamespace: yes\n  hostPID: false\n'),
      );
    });
  });

  describe('ppe-misplaced-field', () => {
    it('flags the field under metadata, a workload spec and a container, naming the right place', () => {
      const found = diagnose(fixture('fields.yaml')).filter(
        (d) => d.code === 'ppe-misplaced-field',
      );
      assert.deepEqual(
        found.map((d) => [d.text, d.line]),
        [
          ['shareProcessNamespace', 5],
          ['shareProcessNamespace', 7],
          ['shareProcessNamespace', 19],
        ],
      );
      assert.match(found[0].message, /metadata.*spec\.template\.spec/);
      assert.match(found[2].message, /spec\.template\.spec\.containers\[0\]/);
    });

    it('flags hostPID in a JSON container', () => {
      const found = diagnose(fixture('quoted.json')).filter(
        (d) => d.code === 'ppe-misplaced-field',
      );
      assert.deepEqual(
        found.map((d) => d.text),
        ['"hostPID"'],
      );
    });

    it('leaves labels and annotations alone', () => {
      const text = pod('').replace(
        '  name: p\n',
        '  name: p\n  annotations:\n    shareProcessNamespace: "true"\n',
      );
      assert.deepEqual(codes(text), []);
    });

    it('moves the field from a Deployment spec to its pod template spec', () => {
      const text = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'spec:',
        '  shareProcessNamespace: true',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: app',
        '',
      ].join('\n');
      assert.equal(
        applyFix(text, 'ppe-misplaced-field', /^Move/),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'spec:',
          '  template:',
          '    spec:',
          '      shareProcessNamespace: true',
          '      containers:',
          '        - name: app',
          '',
        ].join('\n'),
      );
    });

    it('moves the field out of a container that it opens', () => {
      const text = pod('').replace(
        '    - name: app\n',
        '    - shareProcessNamespace: true\n      name: app\n',
      );
      const fixed = applyFix(text, 'ppe-misplaced-field', /^Move/);
      assert.equal(fixed, pod('  shareProcessNamespace: true\n'));
    });

    it('moves the field in JSON', () => {
      const fixed = applyFix(fixture('quoted.json'), 'ppe-misplaced-field', /^Move/);
      const parsed = JSON.parse(fixed) as {
        spec: Record<string, unknown> & { containers: object[] };
      };
      assert.equal(parsed.spec.hostPID, true);
      assert.deepEqual(parsed.spec.containers[0], { name: 'app', image: 'nginx' });
    });

    it('only offers removal when the pod spec already has the field', () => {
      const text = pod('  shareProcessNamespace: true\n').replace(
        '  name: p\n',
        '  name: p\n  shareProcessNamespace: true\n',
      );
      assert.throws(() => applyFix(text, 'ppe-misplaced-field', /^Move/));
      assert.ok(parsesCleanly(applyFix(text, 'ppe-misplaced-field', /^Remove/)));
    });
  });

  describe('ppe-misspelled-field', () => {
    it('flags close typos and case mistakes', () => {
      const found = diagnose(fixture('fields.yaml')).filter(
        (d) => d.code === 'ppe-misspelled-field',
      );
      assert.deepEqual(
        found.map((d) => d.text),
        ['shareProcessNamepace', 'hostPid'],
      );
      assert.match(found[0].message, /shareProcessNamespace/);
    });

    it('catches snake_case, kebab-case, PascalCase and other names of the fields', () => {
      for (const [written, field] of [
        ['share_process_namespace', 'shareProcessNamespace'],
        ['share-process-namespace', 'shareProcessNamespace'],
        ['ShareProcessNameSpace', 'shareProcessNamespace'],
        ['sharePidNamespace', 'shareProcessNamespace'],
        ['shareProcessNamespaces', 'shareProcessNamespace'],
        ['host_pid', 'hostPID'],
        ['HostPid', 'hostPID'],
        ['host-pid', 'hostPID'],
      ]) {
        const found = diagnose(pod(`  ${written}: false\n`));
        assert.deepEqual(
          found.map((d) => [d.code, d.text]),
          [['ppe-misspelled-field', written]],
          written,
        );
        assert.equal(
          applyFix(pod(`  ${written}: false\n`), 'ppe-misspelled-field', /Change/),
          pod(`  ${field}: false\n`),
        );
      }
    });

    it('does not take other pod spec fields for typos', () => {
      assert.deepEqual(codes(pod('  hostIPC: true\n  hostNetwork: true\n  hostname: x\n')), []);
    });

    it('renames the key, inside its quotes in JSON', () => {
      assert.equal(
        applyFix(pod('  ShareProcessNamespace: true\n'), 'ppe-misspelled-field', /Change/),
        pod('  shareProcessNamespace: true\n'),
      );
      const json = '{"apiVersion": "v1", "kind": "Pod", "spec": {"sharedProcessNamespace": true}}';
      assert.equal(
        applyFix(json, 'ppe-misspelled-field', /Change/),
        '{"apiVersion": "v1", "kind": "Pod", "spec": {"shareProcessNamespace": true}}',
      );
    });
  });
});

describe('rules: pod spec fields, at their edges', () => {
  const misspelled = (key: string) =>
    diagnose(pod(`  ${key}: false\n`))
      .filter((d) => d.code === 'ppe-misspelled-field')
      .map((d) => d.message.replace(/^Unknown pod spec field: did you mean (\w+)\?.*$/, '$1'));

  it('takes one edit of hostPID, two of shareProcessNamespace, for a typo', () => {
    assert.deepEqual(misspelled('hostPD'), ['hostPID']);
    assert.deepEqual(misspelled('hsotPID'), ['hostPID'], 'a transposition is one edit');
    assert.deepEqual(misspelled('hostPIDs'), ['hostPID']);
    assert.deepEqual(misspelled('hosPD'), []);
    assert.deepEqual(misspelled('hostPIDxy'), []);
    assert.deepEqual(misspelled('shareProcesNamespce'), ['shareProcessNamespace']);
    assert.deepEqual(misspelled('shareProcessNamspaceXY'), []);
    assert.deepEqual(misspelled('shareProcessNamespaceXYZ'), []);
    assert.deepEqual(misspelled('sahreProcessNamespcae'), ['shareProcessNamespace']);
    assert.deepEqual(misspelled('share.process namespace'.replace(' ', '_')), [
      'shareProcessNamespace',
    ]);
  });

  it('knows the other names people give the fields', () => {
    for (const [written, field] of [
      ['sharedPidNamespace', 'shareProcessNamespace'],
      ['shareProcessNS', 'shareProcessNamespace'],
      ['share_pid_ns', 'shareProcessNamespace'],
      ['sharePID', 'shareProcessNamespace'],
      ['processNamespace', 'shareProcessNamespace'],
      ['hostPidNamespace', 'hostPID'],
      ['host_process_namespace', 'hostPID'],
    ]) {
      assert.deepEqual(misspelled(written), [field], written);
    }
    assert.deepEqual(misspelled('constructor'), []);
    assert.deepEqual(misspelled('"1": x\n  other'), []);
  });

  it('offers no rename that would enable both fields, nor one to a field already set', () => {
    const text = pod('  shareProcessNamespace: true\n  hostPid: true\n');
    const fixes = new ManifestChecker()
      .findings('f', text, 1e6)
      .filter(({ finding }) => finding.code === 'ppe-misspelled-field')
      .map(({ finding }) => finding.fixes.length);
    assert.deepEqual(fixes, [0]);
    assert.deepEqual(codes(pod('  hostPID: false\n  hostPid: false\n')), []);
    assert.equal(
      applyFix(pod("  'hostPid': false\n"), 'ppe-misspelled-field', /Change/),
      pod("  'hostPID': false\n"),
    );
  });

  it('names every step of the way to a misplaced field, indexes included', () => {
    const text = [
      'apiVersion: batch/v1',
      'kind: CronJob',
      'metadata: {name: c}',
      'spec:',
      '  jobTemplate:',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers:',
      '            - name: a',
      '              image: x',
      '            - name: b',
      '              image: x',
      '              ports:',
      '                - containerPort: 80',
      '                  hostPID: false',
      '          volumes:',
      '            - [ {hostPID: false} ]',
      '',
    ].join('\n');
    assert.deepEqual(
      diagnose(text)
        .filter((d) => d.code === 'ppe-misplaced-field')
        .map((d) => /not a field of (\S+):/.exec(d.message)?.[1]),
      [
        'spec.jobTemplate.spec.template.spec.containers[1].ports[0]',
        'spec.jobTemplate.spec.template.spec.volumes[0][0]',
      ],
    );
    const top = diagnose(
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    spec: {}\n    metadata: [{hostPID: false}]\n',
    );
    assert.deepEqual(
      top.map((d) => /not a field of (\S+):/.exec(d.message)?.[1]),
      ['metadata[0]'],
    );
  });

  it('looks into every collection once, but not into data maps or merge keys', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: p',
      '  labels: {hostPID: "true"}',
      'spec:',
      '  nodeSelector: {hostPID: "true"}',
      '  containers:',
      '    - &c',
      '      name: a',
      '      image: x',
      '      hostPID: false',
      '    - *c',
      '',
    ].join('\n');
    assert.deepEqual(
      diagnose(text).map((d) => [d.code, d.line]),
      [['ppe-misplaced-field', 11]],
    );
  });

  it('offers no move that would break an anchor or enable both fields', () => {
    const fixesOf = (text: string) =>
      new ManifestChecker()
        .findings('f', text, 1e6)
        .filter(({ finding }) => finding.code === 'ppe-misplaced-field')
        .map(({ finding }) => finding.fixes.map((fix) => fix.title));
    const anchored = pod('').replace(
      '      image: nginx\n',
      '      image: nginx\n      hostPID: &off false\n      stdin: *off\n',
    );
    assert.deepEqual(fixesOf(anchored), [[]]);
    const conflict = pod('  shareProcessNamespace: true\n').replace(
      '      image: nginx\n',
      '      image: nginx\n      hostPID: true\n',
    );
    assert.deepEqual(fixesOf(conflict), [['Remove hostPID']]);
  });
});

describe('rules: pod spec fields, the fixes they offer', () => {
  const fixesOf = (text: string, code: string) =>
    new ManifestChecker()
      .findings('f', text, 1e6)
      .filter(({ finding }) => finding.code === code)
      .flatMap(({ finding }) => finding.fixes.map((fix) => [fix.title, fix.preferred ?? false]));

  it('writes the boolean a number or a padded word stands for, and guesses nothing else', () => {
    assert.deepEqual(fixesOf(pod('  shareProcessNamespace: 1\n'), 'ppe-not-boolean'), [
      ['Change shareProcessNamespace to true', true],
    ]);
    assert.deepEqual(fixesOf(pod('  hostPID: " no "\n'), 'ppe-not-boolean'), [
      ['Change hostPID to false', true],
    ]);
    assert.deepEqual(fixesOf(pod('  hostPID: 2\n'), 'ppe-not-boolean'), []);
    assert.deepEqual(fixesOf(pod('  hostPID: "maybe"\n'), 'ppe-not-boolean'), []);
    assert.deepEqual(fixesOf(pod('  hostPID: [true]\n'), 'ppe-not-boolean'), []);
  });

  it('prefers moving a misplaced field to removing it, and renaming a misspelled one', () => {
    const misplaced = pod('').replace(
      '      image: nginx\n',
      '      image: nginx\n      hostPID: false\n',
    );
    assert.deepEqual(fixesOf(misplaced, 'ppe-misplaced-field'), [
      ['Move hostPID to spec', true],
      ['Remove hostPID', false],
    ]);
    assert.deepEqual(fixesOf(pod('  hostPid: false\n'), 'ppe-misspelled-field'), [
      ['Change to hostPID', true],
    ]);
  });

  it('counts insertions and deletions at the start of a name as edits', () => {
    const misspelled = (key: string) =>
      codes(pod(`  ${key}: false\n`)).filter((code) => code === 'ppe-misspelled-field');
    assert.deepEqual(misspelled('stPID'), []);
    assert.deepEqual(misspelled('xxhostPID'), []);
    assert.deepEqual(misspelled('xhostPID'), ['ppe-misspelled-field']);
    assert.deepEqual(misspelled('ostPID'), ['ppe-misspelled-field']);
  });

  it('passes over keys that are no strings', () => {
    assert.deepEqual(codes(pod('  1: x\n  true: y\n  ? [a]\n  : z\n')), []);
  });
});
