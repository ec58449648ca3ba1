import assert from 'node:assert/strict';
import { hoverAt } from '../../../src/manifest/server/hover';
import { fixture } from './manifestTestSupport';

function hoverOn(text: string, word: string, occurrence = 0) {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = text.indexOf(word, offset + 1);
  }
  const hover = hoverAt(text, offset + 2);
  return hover && { ...hover, covered: text.slice(hover.span.start, hover.span.end) };
}

describe('hover', () => {
  it('explains shareProcessNamespace: PID 1, /proc, /proc/<pid>/root, signals, docs link', () => {
    const hover = hoverOn(fixture('task-page.yaml'), 'shareProcessNamespace');
    assert.ok(hover);
    assert.equal(hover.covered, 'shareProcessNamespace');
    assert.match(hover.markdown, /PID 1/);
    // Escaped, or the Markdown renderer drops `<pid>` as an unknown HTML tag.
    assert.match(hover.markdown, /\/proc\/&lt;pid&gt;\/environ/);
    assert.match(hover.markdown, /\/proc\/&lt;pid&gt;\/root/);
    assert.doesNotMatch(hover.markdown, /<pid>/);
    assert.match(hover.markdown, /CAP_KILL/);
    assert.match(
      hover.markdown,
      /\(https:\/\/kubernetes\.io\/docs\/tasks\/configure-pod-container\/share-process-namespace\/\)/,
    );
  });

  it('explains hostPID and SYS_PTRACE', () => {
    const hostPid = hoverOn(fixture('every-kind.yaml'), 'hostPID', 3);
    assert.match(hostPid?.markdown ?? '', /shareProcessNamespace/);
    const ptrace = hoverOn(fixture('task-page.yaml'), 'SYS_PTRACE');
    assert.equal(ptrace?.covered, 'SYS_PTRACE');
    assert.match(ptrace?.markdown ?? '', /baseline/);
  });

  it('explains ALL in capabilities.add as SYS_PTRACE among the rest, and no other ALL', () => {
    const text = fixture('task-page.yaml')
      .replace(/add:\s*\n\s*- SYS_PTRACE/, 'add: [ALL]')
      .replace('image: nginx', 'image: nginx\n    args: [ALL]');
    const all = hoverOn(text, 'ALL', 1);
    assert.equal(all?.covered, 'ALL');
    assert.match(all?.markdown ?? '', /SYS_PTRACE among them/);
    assert.match(all?.markdown ?? '', /baseline/);
    assert.equal(hoverOn(text, 'ALL', 0), undefined);
  });

  it('works in JSON, covering the quoted key', () => {
    assert.equal(hoverOn(fixture('deployment.json'), 'hostPID')?.covered, '"hostPID"');
  });

  it('says nothing elsewhere, or outside workload manifests', () => {
    assert.equal(hoverOn(fixture('task-page.yaml'), 'containers'), undefined);
    assert.equal(hoverAt('spec:\n  shareProcessNamespace: true\n', 10), undefined);
    assert.equal(hoverOn(fixture('helm-template.yaml'), 'shareProcessNamespace'), undefined);
  });
});

const TASK_LINK =
  '[Share Process Namespace between Containers in a Pod](https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/)';
const SECURITY_LINK =
  '[Pod Security Standards](https://kubernetes.io/docs/concepts/security/pod-security-standards/)';
const PTRACE_LINES = [
  '- In a shared pod it can read /proc/&lt;pid&gt;/environ and /proc/&lt;pid&gt;/root of processes that run as other users.',
  '- Sending signals does not need it: the same user ID or CAP_KILL is enough.',
  '- Pod Security "baseline" does not allow adding it.',
  '',
  `${TASK_LINK} · ${SECURITY_LINK}`,
];

const HOVERED = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: p',
  'spec:',
  '  shareProcessNamespace: true',
  '  hostPID: false',
  '  containers:',
  '    - name: a',
  '      image: x',
  '      args: [SYS_PTRACE, privileged]',
  '      securityContext:',
  '        privileged: false',
  '        capabilities:',
  '          add: [CAP_SYS_PTRACE, CAP_ALL]',
  '',
].join('\n');

describe('hover text, word for word', () => {
  it('explains shareProcessNamespace', () => {
    assert.equal(
      hoverOn(HOVERED, 'shareProcessNamespace')?.markdown,
      [
        '**shareProcessNamespace**: all containers of the pod share one process (PID) namespace.',
        "- PID 1 is the pod sandbox (pause), not the container's entrypoint. Inits that need PID 1 (systemd, s6-overlay) fail; `kill -HUP 1` reaches the sandbox, which ignores it; TERM or INT sent to PID 1 stop the whole pod.",
        '- Every container sees every process. Command lines (/proc/&lt;pid&gt;/cmdline) are readable by all; environments (/proc/&lt;pid&gt;/environ) by the same user or with SYS_PTRACE. Secrets passed as arguments or environment variables are exposed.',
        "- Another container's files are reachable through /proc/&lt;pid&gt;/root, protected only by file permissions and the ptrace access check.",
        '- Signalling a process of another container needs the same user ID or CAP_KILL (in the default capability set), not SYS_PTRACE.',
        '- Cannot be combined with hostPID.',
        '',
        TASK_LINK,
      ].join('\n'),
    );
  });

  it('explains hostPID', () => {
    assert.equal(
      hoverOn(HOVERED, 'hostPID')?.markdown,
      [
        "**hostPID**: the containers use the node's process namespace.",
        "- They see every process on the node, and PID 1 is the node's init.",
        '- Cannot be combined with shareProcessNamespace: the API server rejects a pod that sets both.',
        '- Pod Security "baseline" forbids host namespaces.',
        '',
        SECURITY_LINK,
      ].join('\n'),
    );
  });

  it('explains the privileged key, not a privileged value', () => {
    assert.equal(
      hoverOn(HOVERED, 'privileged:')?.markdown,
      [
        "**privileged**: the container runs with every capability and the node's devices, unconfined.",
        '- In a shared pod it can read /proc/&lt;pid&gt;/mem, environ and root of every process of the pod and trace them, whatever their user: more than SYS_PTRACE.',
        '- Pod Security "baseline" forbids privileged containers.',
        '',
        `${TASK_LINK} · ${SECURITY_LINK}`,
      ].join('\n'),
    );
    assert.equal(hoverOn(HOVERED, 'privileged]'), undefined);
  });

  it('explains CAP_SYS_PTRACE and CAP_ALL in capabilities.add as SYS_PTRACE and ALL', () => {
    const ptrace = hoverOn(HOVERED, 'CAP_SYS_PTRACE');
    assert.equal(ptrace?.covered, 'CAP_SYS_PTRACE');
    assert.equal(
      ptrace?.markdown,
      [
        '**SYS_PTRACE**: lets the container trace other processes and pass the ptrace access check.',
        ...PTRACE_LINES,
      ].join('\n'),
    );
    const all = hoverOn(HOVERED, 'CAP_ALL');
    assert.equal(all?.covered, 'CAP_ALL');
    assert.equal(
      all?.markdown,
      [
        '**ALL**: adds every Linux capability to the container, SYS_PTRACE among them: it can trace other processes and pass the ptrace access check.',
        ...PTRACE_LINES,
      ].join('\n'),
    );
  });

  it('explains a SYS_PTRACE value anywhere, but a field name only as a key', () => {
    assert.match(hoverOn(HOVERED, 'SYS_PTRACE,')?.markdown ?? '', /^\*\*SYS_PTRACE\*\*/);
    const asValues =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x\n      args: [shareProcessNamespace, hostPID]\n';
    assert.equal(hoverOn(asValues, 'shareProcessNamespace'), undefined);
    assert.equal(hoverOn(asValues, 'hostPID'), undefined);
    const asKey = HOVERED.replace('  hostPID: false', '  SYS_PTRACE: false');
    assert.equal(hoverOn(asKey, 'SYS_PTRACE:'), undefined);
  });
});

describe('where hover answers', () => {
  const text = HOVERED;
  const key = text.indexOf('hostPID');

  it('answers from the first to just past the last character of the word', () => {
    const span = { start: key, end: key + 'hostPID'.length };
    assert.deepEqual(hoverAt(text, key)?.span, span);
    assert.deepEqual(hoverAt(text, key + 'hostPID'.length)?.span, span);
    assert.equal(hoverAt(text, key - 1), undefined);
    assert.equal(hoverAt(text, key + 'hostPID'.length + 1), undefined);
  });

  it('places the span in the file, for a word in a later document', () => {
    const second = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n${text}`;
    const offset = second.indexOf('hostPID');
    assert.deepEqual(hoverAt(second, offset + 1)?.span, {
      start: offset,
      end: offset + 'hostPID'.length,
    });
    assert.equal(hoverAt(second, second.indexOf('ConfigMap')), undefined);
  });

  it('finds the word in the second item of a kind: List', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: a}',
      '    spec:',
      '      containers: [{name: a, image: x}]',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    metadata: {name: b}',
      '    spec:',
      '      hostPID: true',
      '      containers: [{name: b, image: x}]',
      '',
    ].join('\n');
    assert.equal(hoverOn(list, 'hostPID')?.covered, 'hostPID');
  });
});
