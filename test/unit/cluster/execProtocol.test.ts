import assert from 'node:assert/strict';
import {
  Channel,
  closeStdinFrame,
  decodeFrame,
  encodeFrame,
  execQuery,
  parseExecStatus,
  resizeFrame,
} from '../../../src/cluster/execProtocol';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('cluster: exec protocol', () => {
  describe('frames', () => {
    it('prefixes the channel byte and keeps every byte value', () => {
      const frame = encodeFrame(Channel.stdin, ALL_BYTES);
      assert.equal(frame.length, 257);
      assert.equal(frame[0], 0);
      assert.deepEqual(frame.subarray(1), ALL_BYTES);
      const decoded = decodeFrame(encodeFrame(Channel.stderr, ALL_BYTES));
      assert.equal(decoded?.channel, 2);
      assert.deepEqual(decoded?.payload, ALL_BYTES);
    });

    it('encodes text as UTF-8', () => {
      assert.deepEqual(encodeFrame(Channel.stdin, 'é\n'), Buffer.from([0, 0xc3, 0xa9, 0x0a]));
    });

    it('reads an empty message as nothing and a lone channel byte as an empty payload', () => {
      assert.equal(decodeFrame(Buffer.alloc(0)), undefined);
      assert.deepEqual(decodeFrame(Buffer.from([1])), { channel: 1, payload: Buffer.alloc(0) });
      assert.equal(decodeFrame(Buffer.from([9, 1]))?.channel, 9);
    });

    it('resizes on channel 4 with Width and Height, clamped to whole positive numbers', () => {
      const frame = resizeFrame(120.7, 40);
      assert.equal(frame[0], 4);
      assert.deepEqual(JSON.parse(frame.subarray(1).toString()), { Width: 120, Height: 40 });
      assert.deepEqual(JSON.parse(resizeFrame(0, -3).subarray(1).toString()), {
        Width: 1,
        Height: 1,
      });
    });

    it('ends stdin with [255, 0]', () => {
      assert.deepEqual(closeStdinFrame(), Buffer.from([255, 0]));
    });
  });

  describe('status (channel 3)', () => {
    const parse = (value: unknown) => parseExecStatus(Buffer.from(JSON.stringify(value)));

    it('Success is exit code 0', () => {
      assert.deepEqual(parse({ metadata: {}, status: 'Success' }), { exitCode: 0 });
    });

    it('NonZeroExitCode carries the exit code in its ExitCode cause', () => {
      assert.deepEqual(
        parse({
          metadata: {},
          status: 'Failure',
          message:
            'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        }),
        { exitCode: 3 },
      );
    });

    it('InternalError (executable not found) is a failure with its message', () => {
      const internal = {
        metadata: {},
        status: 'Failure',
        message:
          'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown',
        reason: 'InternalError',
        details: { causes: [{ message: 'OCI runtime exec failed' }] },
        code: 500,
      };
      assert.deepEqual(parse(internal), { failure: internal });
    });

    it('a NonZeroExitCode without a usable cause, or text that is not JSON, is a failure', () => {
      const odd = { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [] } };
      assert.deepEqual(parse(odd), { failure: odd });
      assert.deepEqual(parseExecStatus(Buffer.from('exec failed')), {
        failure: { status: 'Failure', message: 'exec failed' },
      });
    });
  });

  describe('query', () => {
    it('sends one command= per argv item, verbatim', () => {
      const argv = ['sh', '-c', 'echo "$1" $(id)\nexit 3', 'sh', '--', 'a b&c=d', '-rf', 'ü'];
      const query = execQuery({ command: argv, container: 'shell', stdin: true, tty: false });
      assert.deepEqual(new URLSearchParams(query.toString()).getAll('command'), argv);
      assert.equal(query.get('container'), 'shell');
      assert.equal(query.get('stdin'), 'true');
      assert.equal(query.get('stdout'), 'true');
      assert.equal(query.get('stderr'), 'true');
      assert.equal(query.get('tty'), 'false');
    });

    it('attaches without a command; with a tty, stderr is not asked for', () => {
      const query = execQuery({ container: 'shell', stdin: true, tty: true });
      assert.deepEqual(query.getAll('command'), []);
      assert.equal(query.get('stderr'), 'false');
      assert.equal(query.get('tty'), 'true');
    });
  });
});
