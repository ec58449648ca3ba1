// ContainerFs against canned answers of the remote script: what it sends, and what it makes of
// every answer a container can give, cut, refused, or more than announced. No shell runs here.
import assert from 'node:assert/strict';
import {
  ContainerFs,
  MAX_READ_BYTES,
  MAX_STREAM_BYTES,
  type FsExecRequest,
  type FsExecResult,
} from '../../../src/procfs/containerFs';
import { FileKind, RemoteFsError } from '../../../src/procfs/remoteOutput';

const ROOT = '/proc/4242/root';
const MIB = 1024 * 1024;

/** What the fake container answers one request: a result, or chunks streamed to onStdout. */
type Answer =
  | { readonly stdout?: string | Buffer; readonly stderr?: string; readonly exitCode?: number }
  | {
      readonly chunks: readonly (string | Buffer)[];
      readonly exitCode?: number;
      readonly stderr?: string;
    }
  | { readonly reject: Error };

interface Call {
  readonly request: FsExecRequest;
  /** The operation and its arguments after the script: op, path argument, …. */
  readonly args: string[];
  readonly nonce: string;
  /** Whether the exec's signal was aborted when it ended. */
  aborted?: boolean;
}

/** A container that answers each exec with the next of `answers` (`N` stands for the nonce). */
function cannedFs(...answers: Answer[]): { fs: ContainerFs; calls: Call[] } {
  const calls: Call[] = [];
  const fs = new ContainerFs(
    async (request): Promise<FsExecResult> => {
      const [sh, dashC, script, argv0, root, nonce, ...args] = request.command;
      assert.deepEqual([sh, dashC, argv0, root], ['sh', '-c', 'sh', ROOT]);
      assert.match(script, /^N=\$2 /);
      const call: Call = { request, args, nonce };
      calls.push(call);
      const answer = answers.shift();
      assert.ok(answer, `no answer left for ${args.join(' ')}`);
      await Promise.resolve();
      if ('reject' in answer) {
        call.aborted = request.signal?.aborted ?? false;
        throw answer.reject;
      }
      const bytes = (text: string | Buffer) =>
        typeof text === 'string' ? Buffer.from(text.replaceAll('N ', `${nonce} `)) : text;
      if ('chunks' in answer) {
        for (const chunk of answer.chunks) {
          request.onStdout?.(bytes(chunk));
        }
      }
      call.aborted = request.signal?.aborted ?? false;
      return {
        exitCode: answer.exitCode ?? 0,
        stdout:
          'stdout' in answer && answer.stdout !== undefined
            ? bytes(answer.stdout)
            : Buffer.alloc(0),
        stderr: Buffer.from(answer.stderr ?? ''),
      };
    },
    ROOT,
    5000,
  );
  return { fs, calls };
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: string | RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RemoteFsError, String(error));
    assert.equal(error.code, code, error.message);
    if (typeof detail === 'string') {
      assert.equal(error.detail, detail);
    } else if (detail) {
      assert.match(error.detail, detail);
    }
    return true;
  });
}

describe('ContainerFs on canned answers: requests', () => {
  it('stats in one exec with the request timeout and a small output budget', async () => {
    const { fs, calls } = cannedFs({ stdout: 'N stat 0 1 81a4 20 1700000000\n' });
    assert.deepEqual(await fs.stat('/etc/hosts'), {
      type: FileKind.File,
      size: 20,
      mtimeSeconds: 1_700_000_000,
      writable: true,
    });
    assert.deepEqual(calls[0].args, ['stat', 'r/etc/hosts']);
    assert.match(calls[0].nonce, /^ppe[0-9a-f]{24}$/);
    assert.equal(calls[0].request.timeoutMs, 5000);
    assert.equal(calls[0].request.maxOutputBytes, MIB);
    assert.equal(calls[0].request.stdin, undefined);
    assert.equal(calls[0].request.signal, undefined);
  });

  it('uses a fresh nonce for every exec', async () => {
    const { fs, calls } = cannedFs({ stdout: 'N done\n' }, { stdout: 'N done\n' });
    await fs.createDirectory('/a');
    await fs.createDirectory('/b');
    assert.notEqual(calls[0].nonce, calls[1].nonce);
    assert.deepEqual(
      calls.map((call) => call.args),
      [
        ['mkdir', 'r/a'],
        ['mkdir', 'r/b'],
      ],
    );
  });

  it('sends delete, rename and copy with their flags, and waits for their done', async () => {
    const { fs, calls } = cannedFs(
      { stdout: 'N done\n' },
      { stdout: 'N done\n' },
      { stdout: 'N done\n' },
      { stdout: 'N done\n' },
    );
    await fs.delete('/tmp/x', true);
    await fs.delete('/tmp/y', false);
    await fs.rename('/a', '/b', true);
    await fs.copy('/a', '/c d', false);
    assert.deepEqual(
      calls.map((call) => call.args),
      [
        ['delete', 'r/tmp/x', '1'],
        ['delete', 'r/tmp/y', '0'],
        ['rename', 'r/a', 'r/b', '1'],
        ['copy', 'r/a', 'r/c d', '0'],
      ],
    );
    assert.ok(calls.every((call) => call.request.maxOutputBytes === MIB));
  });

  it('lists with a listing-sized output budget', async () => {
    const { fs, calls } = cannedFs({ stdout: 'N list\nN end\n' });
    assert.deepEqual(await fs.list('/'), []);
    assert.deepEqual(calls[0].args, ['list', 'r/']);
    assert.equal(calls[0].request.maxOutputBytes, 64 * MIB);
    assert.equal(calls[0].request.timeoutMs, 5000);
  });

  it('finds files and searches text with a long timeout, the signal and twice the budget', async () => {
    const signal = new AbortController().signal;
    const { fs, calls } = cannedFs(
      { stdout: 'N files\n./a\0\nN end 0\n' },
      { stdout: 'N files\n./a\0\nN matches\n./a:3:hello world\n\nN end 0\n' },
    );
    assert.deepEqual(await fs.findFiles('/srv', 4096, signal), {
      paths: ['a'],
      truncated: false,
      incomplete: false,
    });
    const found = await fs.searchText('/srv', { text: 'hello', ignoreCase: true }, 2048, signal);
    assert.deepEqual(found.matches, [{ path: 'a', line: 3, text: 'hello world' }]);
    assert.deepEqual(calls[0].args, ['files', 'r/srv', '4096']);
    assert.deepEqual(calls[1].args, ['grep', 'r/srv', '2048', 'hello', '1']);
    assert.deepEqual(
      calls.map((call) => [
        call.request.timeoutMs,
        call.request.maxOutputBytes,
        call.request.signal,
      ]),
      [
        [50_000, 2 * 4096 + MIB, signal],
        [50_000, 2 * 2048 + MIB, signal],
      ],
    );
  });
});

describe('ContainerFs on canned answers: failures', () => {
  it('throws the refusal the script stated, even with a non-zero exit', async () => {
    await rejectsWith(cannedFs({ stdout: 'N err ENOENT\n' }).fs.stat('/x'), 'ENOENT');
    await rejectsWith(
      cannedFs({ stdout: 'N err ETOOL stat\n', exitCode: 1 }).fs.stat('/x'),
      'ETOOL',
      'stat',
    );
  });

  it('says why a tool failed from its stderr, or its exit status', async () => {
    await rejectsWith(
      cannedFs({
        exitCode: 1,
        stderr: "mkdir: can't create directory './a': Read-only file system\n",
      }).fs.createDirectory('/a'),
      'EROFS',
      "mkdir: can't create directory './a': Read-only file system",
    );
    await rejectsWith(cannedFs({ exitCode: 137 }).fs.stat('/x'), 'EIO', 'exit status 137');
  });

  it('lists once more when find stops short, and only then', async () => {
    const cut = { stdout: 'N list\nN 81a4 1 1 ./gone\nN err EIO find\n' };
    const whole = { stdout: 'N list\nN 81a4 3 1 ./a\nN end\n' };
    const retried = cannedFs(cut, whole);
    assert.deepEqual(
      (await retried.fs.list('/d')).map((entry) => entry.name),
      ['a'],
    );
    assert.deepEqual(
      retried.calls.map((call) => call.args),
      [
        ['list', 'r/d'],
        ['list', 'r/d'],
      ],
    );
    const twice = cannedFs(cut, cut);
    await rejectsWith(twice.fs.list('/d'), 'EIO', 'find');
    assert.equal(twice.calls.length, 2);
    const refused = cannedFs({ stdout: 'N err ENOTDIR\n' }, whole);
    await rejectsWith(refused.fs.list('/d'), 'ENOTDIR');
    assert.equal(refused.calls.length, 1);
    const noFind = cannedFs({ stdout: 'N err ETOOL find\n' }, whole);
    await rejectsWith(noFind.fs.list('/d'), 'ETOOL', 'find');
    assert.equal(noFind.calls.length, 1);
    const otherEio = cannedFs({ stdout: 'N list\nN err EIO stat\n' }, whole);
    await rejectsWith(otherEio.fs.list('/d'), 'EIO', 'stat');
    assert.equal(otherEio.calls.length, 1);
  });

  it('gives an operation without its done the error of a cut answer', async () => {
    await rejectsWith(cannedFs({ stdout: '' }).fs.delete('/x', false), 'ESHORT', /"done"/);
    await rejectsWith(cannedFs({ stdout: 'N staged\n' }).fs.rename('/a', '/b', false), 'ESHORT');
    await rejectsWith(cannedFs({ stdout: '' }).fs.copy('/a', '/b', false), 'ESHORT');
    await rejectsWith(cannedFs({ stdout: 'N list\n' }).fs.createDirectory('/a'), 'ESHORT');
  });
});

describe('ContainerFs on canned answers: reading', () => {
  it('reads the announced bytes however the stream is cut into chunks', async () => {
    const { fs, calls } = cannedFs({ chunks: ['N si', 'ze 11\nhel', 'lo', ' world'] });
    assert.equal(Buffer.from(await fs.read('/etc/motd')).toString(), 'hello world');
    assert.deepEqual(calls[0].args, [
      'read',
      'r/etc/motd',
      String(MAX_READ_BYTES),
      String(MAX_STREAM_BYTES),
    ]);
    assert.equal(MAX_READ_BYTES, 1024 ** 3);
    assert.equal(MAX_STREAM_BYTES, 16 * MIB);
    assert.equal(calls[0].request.timeoutMs, 50_000);
    assert.equal(calls[0].aborted, false);
  });

  it('reads an empty file and a stream of unknown size', async () => {
    assert.equal((await cannedFs({ chunks: ['N size 0\n'] }).fs.read('/e')).length, 0);
    const streamed = await cannedFs({ chunks: ['N stream\ncpu  1 2', ' 3\n', 'intr 9\n'] }).fs.read(
      '/proc/stat',
    );
    assert.equal(Buffer.from(streamed).toString(), 'cpu  1 2 3\nintr 9\n');
  });

  it('reads a stream of exactly the largest size, and refuses one byte more', async () => {
    const half = Buffer.alloc(MAX_STREAM_BYTES / 2, 0x61);
    const full = await cannedFs({ chunks: ['N stream\n', half, half] }).fs.read('/sys/big');
    assert.equal(full.length, MAX_STREAM_BYTES);
    const over = cannedFs({ chunks: ['N stream\n', half, half, 'x', 'more'] });
    await rejectsWith(over.fs.read('/sys/big'), 'EFBIG', String(MAX_STREAM_BYTES));
    assert.equal(over.calls[0].aborted, true);
  });

  it('gives an error, never short data, when fewer bytes arrive than announced', async () => {
    await rejectsWith(
      cannedFs({ chunks: ['N size 10\n', 'hello'] }).fs.read('/f'),
      'ESHORT',
      '5 of 10 bytes arrived',
    );
  });

  it('stops at once when more bytes arrive than announced', async () => {
    const grown = cannedFs({ chunks: ['N size 5\nhello', '!', 'and more'] });
    await rejectsWith(grown.fs.read('/f'), 'ESHORT', /more than the 5 bytes announced/);
    assert.equal(grown.calls[0].aborted, true);
    const stopped = cannedFs({ chunks: ['N size 2\nabc'], exitCode: 1 });
    await rejectsWith(stopped.fs.read('/f'), 'ESHORT', /more than the 2 bytes/);
  });

  it('gives the overflow, not the exec error, when the stopped exec rejects', async () => {
    const { fs } = cannedFs({ reject: new Error('exec aborted') });
    await assert.rejects(fs.read('/f'), /exec aborted/);
    const overflowing = new ContainerFs(
      async (request) => {
        await Promise.resolve();
        request.onStdout?.(Buffer.from(`${request.command[5]} size 1\nab`));
        throw new Error('exec aborted');
      },
      ROOT,
      5000,
    );
    await rejectsWith(overflowing.read('/f'), 'ESHORT', /more than the 1 bytes/);
  });

  it('refuses a header that never ends', async () => {
    const long = cannedFs({ chunks: [`N size ${'1'.repeat(4096)}`, '2\nabc'] });
    await rejectsWith(long.fs.read('/f'), 'EFBIG');
    assert.equal(long.calls[0].aborted, true);
    // 4096 bytes without a newline are still waited on.
    const atLimit = cannedFs({ chunks: [Buffer.alloc(4096, 0x20)], exitCode: 0 });
    await rejectsWith(atLimit.fs.read('/f'), 'ESHORT', 'the file was not sent');
    assert.equal(atLimit.calls[0].aborted, false);
  });

  it('throws the refusal a read states instead of sending the file', async () => {
    await rejectsWith(cannedFs({ chunks: ['N err EISDIR\n'] }).fs.read('/etc'), 'EISDIR');
    await rejectsWith(
      cannedFs({ chunks: ['N err ESPECIAL fifo\n'] }).fs.read('/run/f'),
      'ESPECIAL',
      'fifo',
    );
    await rejectsWith(
      cannedFs({ chunks: ['N err EFBIG 2147483648\n'] }).fs.read('/big'),
      'EFBIG',
      '2147483648',
    );
  });

  it('takes no header that does not start with the nonce', async () => {
    await rejectsWith(
      cannedFs({ chunks: ['ppe0 size 1\nx'] }).fs.read('/f'),
      'ESHORT',
      'the file was not sent',
    );
    for (const header of ['N sizes 1\nx', 'N oversize 1\nx', 'N size 1 2\nx']) {
      await rejectsWith(
        cannedFs({ chunks: [header] }).fs.read('/f'),
        'ESHORT',
        'the file was not sent',
      );
    }
  });

  it('says why the read failed when no file was sent, or when the exec failed after it', async () => {
    await rejectsWith(
      cannedFs({ chunks: [], exitCode: 1, stderr: 'cat: ./f: Permission denied' }).fs.read('/f'),
      'EACCES',
    );
    await rejectsWith(
      cannedFs({
        chunks: ['N size 2\nab'],
        exitCode: 1,
        stderr: 'cat: read error: Is a directory',
      }).fs.read('/f'),
      'EISDIR',
    );
  });
});

describe('ContainerFs on canned answers: writing', () => {
  it('stages the bytes under a fresh name, then commits that name', async () => {
    const { fs, calls } = cannedFs({ stdout: 'N staged\n' }, { stdout: 'N done\n' });
    const content = Buffer.alloc(3 * MIB, 0x62);
    await fs.write('/etc/app.conf', content, { create: true, overwrite: false });
    const [stage, commit] = calls;
    assert.deepEqual(stage.args, ['stage', 'r/etc/app.conf', '0', '1', String(3 * MIB)]);
    assert.equal(stage.request.stdin, content);
    assert.equal(stage.request.timeoutMs, 5000 + 3000);
    assert.deepEqual(commit.args, ['commit', 'r/etc/app.conf', stage.nonce]);
    assert.equal(commit.request.stdin, undefined);
    assert.equal(commit.request.timeoutMs, 5000);
  });

  it('writes in place when asked', async () => {
    const { fs, calls } = cannedFs({ stdout: 'N staged\n' }, { stdout: 'N done\n' });
    await fs.write('/etc/hosts', Buffer.from('x'), {
      create: false,
      overwrite: true,
      inPlace: true,
    });
    assert.deepEqual(calls[0].args.slice(2), ['1', '0', '1']);
    assert.deepEqual(calls[1].args, ['inplace', 'r/etc/hosts', calls[0].nonce]);
  });

  it('discards what a cut upload may have left, and says why it failed', async () => {
    const { fs, calls } = cannedFs(
      { reject: new Error('connection reset') },
      { stdout: 'N done\n' },
    );
    await assert.rejects(
      fs.write('/a', Buffer.from('x'), { create: true, overwrite: true }),
      /connection reset/,
    );
    assert.deepEqual(calls[1].args, ['discard', 'r/a', calls[0].nonce]);
    // A failing discard changes nothing of that.
    const failing = cannedFs(
      { reject: new Error('connection reset') },
      { reject: new Error('gone') },
    );
    await assert.rejects(
      failing.fs.write('/a', Buffer.from('x'), { create: true, overwrite: true }),
      /connection reset/,
    );
    assert.equal(failing.calls.length, 2);
  });

  it('neither discards nor commits after a refusal or a cut stage', async () => {
    const refused = cannedFs({ stdout: 'N err EEXIST\n' });
    await rejectsWith(
      refused.fs.write('/a', Buffer.from('x'), { create: true, overwrite: false }),
      'EEXIST',
    );
    assert.equal(refused.calls.length, 1);
    const cut = cannedFs({ stdout: 'N done\n' });
    await rejectsWith(
      cut.fs.write('/a', Buffer.from('x'), { create: true, overwrite: true }),
      'ESHORT',
      /"staged"/,
    );
    assert.equal(cut.calls.length, 1);
    // A tool that failed on the container's side left no file either.
    const full = cannedFs({ exitCode: 1, stderr: 'head: write error: No space left on device' });
    await rejectsWith(
      full.fs.write('/a', Buffer.from('x'), { create: true, overwrite: true }),
      'ENOSPC',
    );
    assert.equal(full.calls.length, 1);
  });

  it('gives a commit without its done the error of a cut answer', async () => {
    const { fs } = cannedFs({ stdout: 'N staged\n' }, { stdout: '' });
    await rejectsWith(
      fs.write('/a', Buffer.from('x'), { create: true, overwrite: true }),
      'ESHORT',
    );
  });
});
