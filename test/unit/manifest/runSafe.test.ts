import assert from 'node:assert/strict';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { runSafe } from '../../../src/manifest/server/runSafe';

const isCancelled = (value: unknown) =>
  value instanceof ResponseError && value.code === LSPErrorCodes.RequestCancelled;

const unexpected = (error: unknown) => assert.fail(`unexpected error: ${String(error)}`);

describe('manifest server requests (runSafe)', () => {
  it('answers the result of a request that runs to its end', async () => {
    const source = new CancellationTokenSource();
    assert.equal(await runSafe(source.token, () => 'hover', null, unexpected), 'hover');
  });

  it('answers the error value and logs, where the handler throws', async () => {
    const source = new CancellationTokenSource();
    const logged: unknown[] = [];
    const result = await runSafe(
      source.token,
      () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
      [],
      (error) => logged.push(error),
    );
    assert.deepEqual(result, []);
    assert.match(String(logged[0]), /Maximum call stack/);
  });

  it('answers RequestCancelled for a request cancelled before or while it runs', async () => {
    const before = new CancellationTokenSource();
    let ran = false;
    const pending = runSafe(before.token, () => (ran = true), false, unexpected);
    before.cancel();
    assert.ok(isCancelled(await pending));
    assert.equal(ran, false, 'the work never started');

    const during = new CancellationTokenSource();
    const result = await runSafe(
      during.token,
      async () => {
        during.cancel();
        await Promise.resolve();
        return 'stale';
      },
      null,
      unexpected,
    );
    assert.ok(isCancelled(result));
  });
});
