import assert from 'node:assert/strict';
import { parseChunk, splitDocuments } from '../../../src/manifest/server/manifestModel';
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
