import assert from 'node:assert/strict';
import { CheckScheduler, type Timers } from '../../../src/manifest/server/checkScheduler';

/** A clock the test moves by hand: timers fire only when it is advanced past their deadline. */
class ManualClock implements Timers {
  private now = 0;
  private next = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = ++this.next;
    this.timers.set(handle, { at: this.now + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [handle, timer] of [...this.timers].sort(([, a], [, b]) => a.at - b.at)) {
      if (timer.at <= this.now && this.timers.delete(handle)) {
        timer.callback();
      }
    }
  }
}

describe('CheckScheduler', () => {
  let clock: ManualClock;
  let checked: string[];
  let scheduler: CheckScheduler;

  beforeEach(() => {
    clock = new ManualClock();
    checked = [];
    scheduler = new CheckScheduler(250, (uri) => checked.push(uri), clock);
  });

  it('checks once after a burst of changes, a full pause after the last one', () => {
    scheduler.schedule('a');
    clock.advance(200);
    scheduler.schedule('a');
    clock.advance(200);
    scheduler.schedule('a');
    clock.advance(249);
    assert.deepEqual(checked, [], 'still typing: no check yet');
    clock.advance(1);
    assert.deepEqual(checked, ['a']);
    clock.advance(1000);
    assert.deepEqual(checked, ['a'], 'one check for the burst');
  });

  it('keeps documents apart', () => {
    scheduler.schedule('a');
    clock.advance(100);
    scheduler.schedule('b');
    clock.advance(150);
    assert.deepEqual(checked, ['a']);
    clock.advance(100);
    assert.deepEqual(checked, ['a', 'b']);
  });

  it('honours a shorter delay (settings changed) and a cancel (document closed)', () => {
    scheduler.schedule('a', 0);
    scheduler.schedule('b');
    scheduler.cancel('b');
    clock.advance(0);
    assert.deepEqual(checked, ['a']);
    clock.advance(1000);
    assert.deepEqual(checked, ['a']);
  });
});
