import assert from 'node:assert/strict';
import {
  longRunningContainerCount,
  parseChunk,
  splitDocuments,
} from '../../../src/manifest/server/manifestModel';
import { codes, diagnose, fixture } from './manifestTestSupport';

describe('manifest model', () => {
  describe('splitDocuments', () => {
    it('splits on --- lines and keeps every character', () => {
      const text = 'a: 1\n---\nb: 2\n--- \nc: 3\n...\n---\nd: 4';
      const chunks = splitDocuments(text);
      assert.deepEqual(
        chunks.map((chunk) => chunk.text),
        ['a: 1\n', '---\nb: 2\n', '--- \nc: 3\n...\n', '---\nd: 4'],
      );
      assert.equal(chunks.map((chunk) => chunk.text).join(''), text);
      assert.deepEqual(
        chunks.map((chunk) => chunk.offset),
        [0, 5, 14, 28],
      );
    });

    it('does not split on --- inside a line or on ----', () => {
      const text = 'a: "x --- y"\nb: ----\n';
      assert.equal(splitDocuments(text).length, 1);
    });

    it('keeps directives with the document they introduce', () => {
      const chunks = splitDocuments('a: 1\n...\n%YAML 1.2\n---\nb: 2\n');
      assert.deepEqual(
        chunks.map((chunk) => chunk.text),
        ['a: 1\n...\n', '%YAML 1.2\n---\nb: 2\n'],
      );
    });

    it('handles CRLF line ends', () => {
      assert.equal(splitDocuments('a: 1\r\n---\r\nb: 2\r\n').length, 2);
    });

    it('splits at every --- marker YAML sees, on any mix of dashes, breaks and directives', () => {
      // The split written with a regex, as the oracle for its faster scan: a marker follows the
      // start or a YAML line break (\n, \r; not U+2028, where JavaScript's multiline ^ matches).
      const expected = (text: string) => {
        const starts = [0];
        for (const match of text.matchAll(/(?<![^\r\n])---(?=[ \t\r\n]|$)/g)) {
          let start = match.index;
          while (start > 0) {
            const previousLineStart = text.lastIndexOf('\n', start - 2) + 1;
            if (text[previousLineStart] !== '%') {
              break;
            }
            start = previousLineStart;
          }
          if (start > starts[starts.length - 1]) {
            starts.push(start);
          }
        }
        return starts;
      };
      const pieces = [
        '---',
        '-',
        '--',
        '\n',
        '\r',
        '\r\n',
        ' ',
        '\t',
        'a',
        '%YAML 1.1\n',
        '\u2028',
      ];
      let seed = 7;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < 5_000; round++) {
        const length = 1 + Math.floor(random() * 24);
        const text = Array.from(
          { length },
          () => pieces[Math.floor(random() * pieces.length)],
        ).join('');
        const chunks = splitDocuments(text);
        assert.deepEqual(
          chunks.map((chunk) => chunk.offset),
          expected(text),
          JSON.stringify(text),
        );
        assert.equal(chunks.map((chunk) => chunk.text).join(''), text);
      }
    });
  });

  describe('parseChunk', () => {
    it('finds the PodSpec of every kind that carries one', () => {
      const found = diagnose(fixture('every-kind.yaml'));
      assert.equal(found.length, 9);
      assert.ok(found.every((diagnostic) => diagnostic.code === 'ppe-host-pid-conflict'));
      assert.ok(found.every((diagnostic) => diagnostic.text === 'shareProcessNamespace'));
    });

    it('reports the PodSpec path of each kind', () => {
      const paths = splitDocuments(fixture('every-kind.yaml'))
        .map((chunk) => parseChunk(chunk.text))
        .flatMap((parsed) =>
          parsed.type === 'workloads'
            ? parsed.workloads.map(
                (workload) => `${workload.kind}:${workload.podSpecPath.join('.')}`,
              )
            : [],
        );
      assert.deepEqual(paths, [
        'Pod:spec',
        'PodTemplate:template.spec',
        'ReplicationController:spec.template.spec',
        'Deployment:spec.template.spec',
        'ReplicaSet:spec.template.spec',
        'StatefulSet:spec.template.spec',
        'DaemonSet:spec.template.spec',
        'Job:spec.template.spec',
        'CronJob:spec.jobTemplate.spec.template.spec',
      ]);
    });

    it('ignores other apiVersions, other kinds and other YAML', () => {
      assert.deepEqual(codes(fixture('not-kubernetes.yaml')), []);
      assert.deepEqual(
        codes('apiVersion: apps/v1beta1\nkind: Deployment\nspec:\n  hostPID: "x"\n'),
        [],
      );
    });

    it('produces nothing for Helm templates', () => {
      assert.deepEqual(codes(fixture('helm-template.yaml')), []);
    });

    it('reports one syntax error for a broken workload and checks the other documents', () => {
      const found = diagnose(fixture('broken.yaml'));
      assert.deepEqual(
        found.map((diagnostic) => diagnostic.code),
        ['ppe-yaml-syntax', 'ppe-not-boolean'],
      );
      assert.ok(found[0].line >= 8 && found[0].line <= 9, `syntax error on line ${found[0].line}`);
      assert.match(found[0].message, /\(MISSING_CHAR\)/);
      assert.equal(found[0].text, '     image: nginx');
      assert.equal(found[1].line, 19);
    });

    it('reads JSON manifests with ranges on the quoted keys and values', () => {
      const found = diagnose(fixture('deployment.json'));
      assert.deepEqual(
        found.map((diagnostic) => [diagnostic.code, diagnostic.text]),
        [
          ['ppe-host-pid-conflict', '"shareProcessNamespace"'],
          ['ppe-tini-without-subreaper', '"tini"'],
          ['ppe-secret-env-literal', '"correct-horse"'],
          ['ppe-debug-without-ptrace', '"stdin"'],
        ],
      );
    });
  });
});

describe('manifest model: workloads as kubectl reads them', () => {
  const workloadsOf = (text: string) => {
    const parsed = parseChunk(text);
    return parsed.type === 'workloads' ? parsed.workloads : [];
  };

  it('names containers, or numbers those without a name, list by list', () => {
    const [pod] = workloadsOf(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: web}',
        'spec:',
        '  initContainers: [{name: setup}, {image: x}]',
        '  containers: [{image: x}, "not a map", {name: app}]',
        '  ephemeralContainers: [{name: debugger}]',
        '',
      ].join('\n'),
    );
    assert.equal(pod.name, 'web');
    assert.deepEqual(
      pod.containers.map((container) => `${container.list}:${container.name}`),
      [
        'initContainers:setup',
        'initContainers:initContainers[1]',
        'containers:containers[0]',
        'containers:app',
        'ephemeralContainers:debugger',
      ],
    );
  });

  it('counts the containers that run for the pod’s whole life: sidecars, not init ones', () => {
    const pod = (init: string) =>
      workloadsOf(
        `apiVersion: v1\nkind: Pod\nspec:\n  initContainers: [${init}]\n  containers: [{name: app}]\n`,
      )[0];
    assert.equal(longRunningContainerCount(pod('{name: setup}')), 1);
    assert.equal(longRunningContainerCount(pod('{name: setup, restartPolicy: OnFailure}')), 1);
    assert.equal(longRunningContainerCount(pod('{name: proxy, restartPolicy: Always}')), 2);
  });

  it('reads shareProcessNamespace as kubectl does, and a workload without a pod spec', () => {
    const pod = (value: string) =>
      workloadsOf(`apiVersion: v1\nkind: Pod\nspec:\n  shareProcessNamespace: ${value}\n`)[0];
    assert.equal(pod('true').shared, true);
    assert.equal(pod('on').shared, true);
    assert.equal(pod('"true"').shared, false);
    assert.equal(pod('false').shared, false);
    const [bare] = workloadsOf('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n');
    assert.equal(bare.podSpec, undefined);
    assert.equal(bare.shared, false);
    assert.deepEqual(bare.containers, []);
    assert.deepEqual(workloadsOf('kind: Pod\nspec: {}\n'), [], 'no apiVersion');
    assert.deepEqual(workloadsOf('apiVersion: v1\nspec: {}\nmetadata: {kind: Pod}\n'), []);
    assert.deepEqual(workloadsOf('- apiVersion: v1\n  kind: Pod\n'), [], 'a sequence');
  });

  it('reads the workload items of a List, and no List without items', () => {
    const list = (items: string, kind = 'List') =>
      workloadsOf(`apiVersion: v1\nkind: ${kind}\nitems:\n${items}`).map(
        (workload) => `${workload.kind}/${workload.name ?? ''}`,
      );
    const items =
      '  - {apiVersion: v1, kind: Pod, metadata: {name: a}}\n  - "text"\n  - {apiVersion: v1, kind: Service}\n  - {apiVersion: apps/v1, kind: DaemonSet, metadata: {name: b}}\n';
    assert.deepEqual(list(items), ['Pod/a', 'DaemonSet/b']);
    assert.deepEqual(list(items, 'PodList'), ['Pod/a', 'DaemonSet/b']);
    assert.deepEqual(list(items, 'Listing'), []);
    assert.deepEqual(workloadsOf('apiVersion: v1\nkind: List\nitems: {a: 1}\n'), []);
    assert.deepEqual(workloadsOf('apiVersion: v1\nkind: List\n'), []);
  });

  it('reports a broken document as a syntax error only when it names a workload kind', () => {
    const syntax = (text: string) => {
      const parsed = parseChunk(text);
      return parsed.type === 'syntax-error'
        ? [parsed.errorCode, text.slice(parsed.span.start, parsed.span.end)]
        : parsed.type;
    };
    const broken = 'spec:\n  containers: [a\n  hostPID: true\n';
    assert.deepEqual(syntax(`apiVersion: v1\nkind: Pod\n${broken}`)[0], 'BAD_INDENT');
    assert.deepEqual(syntax(`"apiVersion": "v1"\n"kind": 'Pod'\n${broken}`)[0], 'BAD_INDENT');
    assert.equal(syntax(`apiVersion: v1\nkind: Service\n${broken}`), 'other');
    assert.equal(syntax(`kind: Pod\n${broken}`), 'other', 'no apiVersion');
    assert.equal(syntax(`apiVersion: v1\n${broken}\n# kind`), 'other', 'no kind');
    assert.equal(syntax(`apiVersion: v1\nkind: Pod\n{{ if .x }}\n${broken}`), 'other');
    const list = `apiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    ${broken}`;
    assert.equal(syntax(list)[0], 'BAD_INDENT');
    const services = `apiVersion: v1\nkind: List\nitems:\n  - kind: Service\n    ${broken}`;
    assert.equal(syntax(services), 'other');
  });

  it('tells a broken workload by its apiVersion and kind lines, as written at a line start', () => {
    const syntax = (text: string) => parseChunk(text).type;
    const broken = 'spec:\n  containers: [a\n  hostPID: true\n';
    assert.equal(syntax(`apiVersion : v1\nkind : Pod\n${broken}`), 'syntax-error');
    assert.equal(syntax(`  apiVersion: v1\n  kind: Pod\n  ${broken}`), 'syntax-error');
    assert.equal(syntax(`myapiVersion: v1\nkind: Pod\n${broken}`), 'other');
    assert.equal(syntax(`apiVersion: v1\nmykind: Pod\n${broken}`), 'other');
    const json = '{\n  "apiVersion":"v1",\n  "kind":"Pod",\n  "spec": {"containers": [\n}\n';
    assert.equal(syntax(json), 'syntax-error');
    // A kind other than a List's is not looked for in its items.
    assert.equal(syntax(`apiVersion: v1\nkind: ConfigMap\ndata:\n  kind: Pod\n${broken}`), 'other');
    const list = (kind: string, item: string, head = 'apiVersion: v1\n') =>
      syntax(`${head}kind: ${kind}\nitems:\n  ${item}\n    ${broken}`);
    assert.equal(list('PodList', '- kind: Pod'), 'syntax-error');
    assert.equal(list('List', '- kind : Deployment'), 'syntax-error');
    assert.equal(list('List', '- "kind":"Pod",'), 'syntax-error');
    assert.equal(list('List', '- x-kind: Pod'), 'other');
    assert.equal(list('List', '- kind: Pod', ''), 'other', 'no apiVersion');
  });

  it('underlines a syntax error to the end of its line, or of the text', () => {
    const covered = (text: string) => {
      const parsed = parseChunk(text);
      assert.equal(parsed.type, 'syntax-error');
      return parsed.type === 'syntax-error'
        ? [parsed.errorCode, text.slice(parsed.span.start, parsed.span.end)]
        : [];
    };
    assert.deepEqual(covered('apiVersion: v1\nkind: Pod\nspec:\n  a: b: c\n  d: 1\n'), [
      'BLOCK_AS_IMPLICIT_KEY',
      'b: c',
    ]);
    assert.deepEqual(covered('apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []'), [
      'TAB_AS_INDENT',
      '\tcontainers: []',
    ]);
    // An error at the very end has nothing after it: its last line is underlined.
    assert.deepEqual(covered('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "unclosed\n'), [
      'MISSING_CHAR',
      '  name: "unclosed',
    ]);
  });
});
