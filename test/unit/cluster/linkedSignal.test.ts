import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { linkedSignal } from '../../../src/cluster/linkedSignal';

describe('cluster: linked signals', () => {
  it('aborts with whichever source aborts, with its reason', () => {
    const session = new AbortController();
    const request = new AbortController();
    const linked = linkedSignal([request.signal, session.signal, undefined]);
    assert.equal(linked.signal.aborted, false);
    session.abort('disposed');
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, 'disposed');
    linked.dispose();
  });

  it('starts aborted when a source already is', () => {
    assert.equal(linkedSignal([AbortSignal.abort('gone')]).signal.reason, 'gone');
  });

  it('leaves a long-lived source with no listener once disposed, after a thousand execs', () => {
    const session = new AbortController();
    for (let exec = 0; exec < 1000; exec++) {
      linkedSignal([new AbortController().signal, session.signal]).dispose();
    }
    assert.equal(getEventListeners(session.signal, 'abort').length, 0);
  });
});
