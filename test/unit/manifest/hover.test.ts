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
