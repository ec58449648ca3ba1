import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  chownSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ContainerFs, type FsExec } from '../../../src/procfs/containerFs';
import { bytesToName } from '../../../src/procfs/procfsUri';
import { FileKind, RemoteFsError } from '../../../src/procfs/remoteOutput';
import { fakeRoot, localExec, type LocalShell } from './localExec';

const HOSTILE_NAMES = [
  'with space.txt',
  'new\nline.txt',
  '$(touch CANARY)',
  '`touch CANARY`',
  '-rf',
  '--help',
  'quote\'d "and" \\back',
  '*?[glob]',
  'a;touch CANARY;b',
];
/** Latin-1 bytes that are not UTF-8: a name any Linux filesystem accepts. */
const NON_UTF8 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RemoteFsError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

for (const shell of ['gnu', 'busybox'] as LocalShell[]) {
  describe(`ContainerFs under ${shell === 'gnu' ? 'dash with GNU tools' : 'busybox'}`, () => {
    let root: string;
    let fs: ContainerFs;

    beforeEach(() => {
      root = fakeRoot();
      fs = new ContainerFs(localExec(shell), root, 10_000);
    });

    afterEach(() => {
      assert.equal(existsSync(join(root, 'CANARY')), false, 'a name was executed');
      assert.equal(existsSync(join(dirname(root), 'CANARY')), false, 'a name was executed');
    });

    it('lists a directory in one exec, with types, sizes and mtimes', async () => {
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
      mkdirSync(join(root, 'etc', 'nginx'));
      let calls = 0;
      const exec = localExec(shell);
      const counting = new ContainerFs((request) => (calls++, exec(request)), root, 10_000);
      const entries = await counting.list('/etc');
      assert.equal(calls, 1);
      const byName = new Map(entries.map((entry) => [entry.name, entry]));
      assert.equal(byName.get('hosts')?.type, FileKind.File);
      assert.equal(byName.get('hosts')?.size, 20);
      assert.equal(byName.get('nginx')?.type, FileKind.Directory);
      assert.ok((byName.get('hosts')?.mtimeSeconds ?? 0) > 1_600_000_000);
    });

    it('writes, lists, reads, renames and deletes hostile names, and executes none', async () => {
      for (const name of HOSTILE_NAMES) {
        await fs.write(`/${name}`, Buffer.from(name), { create: true, overwrite: false });
      }
      const listed = (await fs.list('/')).map((entry) => entry.name).sort();
      assert.deepEqual(listed, [...HOSTILE_NAMES].sort());
      for (const name of HOSTILE_NAMES) {
        assert.deepEqual(Buffer.from(await fs.read(`/${name}`)), Buffer.from(name));
        assert.equal(readFileSync(join(root, name), 'utf8'), name);
        await fs.rename(`/${name}`, `/${name}.2`, false);
        assert.equal((await fs.stat(`/${name}.2`)).size, Buffer.byteLength(name));
        await fs.delete(`/${name}.2`, false);
      }
      assert.deepEqual(readdirSync(root), []);
    });

    it('handles a name that is not UTF-8', async () => {
      writeFileSync(Buffer.concat([Buffer.from(`${root}/`), NON_UTF8]), 'latin-1');
      const [entry] = await fs.list('/');
      assert.equal(entry.name, bytesToName(NON_UTF8));
      assert.equal(Buffer.from(await fs.read(`/${entry.name}`)).toString(), 'latin-1');
      await fs.write(`/${entry.name}`, Buffer.from('saved'), { create: false, overwrite: true });
      await fs.rename(`/${entry.name}`, `/${entry.name}x`, false);
      assert.equal((await fs.stat(`/${entry.name}x`)).size, 5);
      await fs.delete(`/${entry.name}x`, false);
      assert.deepEqual(readdirSync(root), []);
    });

    it('honours create and overwrite, and keeps the mode of the file it replaces', async () => {
      await rejectsWith(
        fs.write('/new', Buffer.from('x'), { create: false, overwrite: true }),
        'ENOENT',
      );
      await fs.write('/new', Buffer.from('x'), { create: true, overwrite: false });
      await rejectsWith(
        fs.write('/new', Buffer.from('y'), { create: true, overwrite: false }),
        'EEXIST',
      );
      chmodSync(join(root, 'new'), 0o640);
      await fs.write('/new', Buffer.from('yy'), { create: false, overwrite: true });
      assert.equal(readFileSync(join(root, 'new'), 'utf8'), 'yy');
      assert.equal(statSync(join(root, 'new')).mode & 0o777, 0o640);
      assert.deepEqual(readdirSync(root), ['new'], 'no temporary file is left');
      await rejectsWith(
        fs.write('/missing/new', Buffer.from('x'), { create: true, overwrite: true }),
        'ENOENT',
      );
      mkdirSync(join(root, 'dir'));
      await rejectsWith(
        fs.write('/dir', Buffer.from('x'), { create: true, overwrite: true }),
        'EISDIR',
      );
    });

    it('maps refusals: not found, exists, not a directory, is a directory, not empty', async () => {
      await rejectsWith(fs.stat('/nothing'), 'ENOENT');
      await rejectsWith(fs.read('/nothing'), 'ENOENT');
      await rejectsWith(fs.list('/nothing'), 'ENOENT');
      writeFileSync(join(root, 'file'), 'x');
      await rejectsWith(fs.list('/file'), 'ENOTDIR');
      await rejectsWith(fs.createDirectory('/file'), 'EEXIST');
      await fs.createDirectory('/dir');
      await rejectsWith(fs.read('/dir'), 'EISDIR');
      writeFileSync(join(root, 'dir', 'inner'), 'x');
      await rejectsWith(fs.delete('/dir', false), 'ENOTEMPTY');
      await rejectsWith(fs.rename('/file', '/dir', false), 'EEXIST');
      await fs.copy('/file', '/copy', false);
      assert.equal(readFileSync(join(root, 'copy'), 'utf8'), 'x');
      await fs.rename('/copy', '/dir', true);
      assert.equal(readFileSync(join(root, 'dir'), 'utf8'), 'x');
      await fs.createDirectory('/tree');
      await fs.createDirectory('/tree/sub');
      await fs.delete('/tree', true);
      assert.equal(existsSync(join(root, 'tree')), false);
    });

    it('says when the process has exited, when its root is refused, and which tool is missing', async () => {
      const gone = new ContainerFs(localExec(shell), join(root, 'gone', 'root'), 10_000);
      await rejectsWith(gone.stat('/'), 'ESRCH');
      // /proc/<pid> is there but its root cannot be entered, as without SYS_PTRACE.
      mkdirSync(join(root, 'proc'));
      writeFileSync(join(root, 'proc', 'root'), '');
      const refused = new ContainerFs(localExec(shell), join(root, 'proc', 'root'), 10_000);
      await rejectsWith(refused.stat('/'), 'EPTRACE');
      writeFileSync(join(root, 'proc', 'stat'), '42 (a (b) c) S 1 42 42 0 -1\n');
      await rejectsWith(refused.stat('/'), 'EPTRACE');
      // Exited, not yet reaped: /proc/<pid> stays while the process is a zombie.
      writeFileSync(join(root, 'proc', 'stat'), '42 (a (b) c) Z 1 42 42 0 -1\n');
      await rejectsWith(refused.stat('/'), 'ESRCH');
      if (shell === 'busybox') {
        // This busybox's sh finds its own applets whatever PATH says.
        return;
      }
      const noTools = new ContainerFs(localExec(shell, '/nonexistent'), root, 10_000);
      await assert.rejects(noTools.stat('/'), (error: unknown) => {
        assert.ok(error instanceof RemoteFsError);
        assert.equal(error.code, 'ETOOL');
        assert.equal(error.detail, 'readlink');
        return true;
      });
    });

    describe('hostile files', () => {
      it('says what a FIFO is instead of blocking on it', async () => {
        execFileSync('mkfifo', [join(root, 'pipe')]);
        await rejectsWith(fs.read('/pipe'), 'ESPECIAL');
        await rejectsWith(
          fs.write('/pipe', Buffer.from('x'), { create: false, overwrite: true }),
          'ESPECIAL',
        );
      });

      it('refuses a file larger than the editor holds before sending a byte', async () => {
        // Sparse: 2 GiB that take no room.
        writeFileSync(join(root, 'huge'), '');
        truncateSync(join(root, 'huge'), 2 * 1024 ** 3);
        let received = 0;
        const exec = localExec(shell);
        const counting = new ContainerFs(
          (request) =>
            exec({
              ...request,
              onStdout: (chunk) => ((received += chunk.length), request.onStdout?.(chunk)),
            }),
          root,
          10_000,
        );
        await rejectsWith(counting.read('/huge'), 'EFBIG');
        assert.ok(received < 1000, `${received} bytes were sent`);
      });

      it('reads files whose size reads 0, as /proc’s do', async () => {
        const procRoot = new ContainerFs(localExec(shell), '/', 10_000);
        const uptime = Buffer.from(await procRoot.read('/proc/uptime')).toString('utf8');
        assert.match(uptime, /^\d+\.\d+ \d+\.\d+\n$/);
      });

      it('saves with the owner, mode and setuid bit of the file it replaces, and nothing wider meanwhile', async () => {
        writeFileSync(join(root, 'tool'), 'old');
        chownSync(join(root, 'tool'), 1234, 1234);
        chmodSync(join(root, 'tool'), 0o4750);
        writeFileSync(join(root, 'private'), 'old');
        chmodSync(join(root, 'private'), 0o600);
        await fs.write('/tool', Buffer.from('new'), { create: false, overwrite: true });
        await fs.write('/private', Buffer.from('new'), { create: false, overwrite: true });
        const tool = statSync(join(root, 'tool'));
        assert.equal(tool.mode & 0o7777, 0o4750);
        assert.equal(tool.uid, 1234);
        assert.equal(statSync(join(root, 'private')).mode & 0o7777, 0o600);
        assert.deepEqual(readdirSync(root).sort(), ['private', 'tool']);
      });

      it('removes the temporary file when the final rename fails', async () => {
        writeFileSync(join(root, 'file'), 'old');
        const exec = localExec(shell);
        // Between the two execs, the file turns into a directory that rename cannot replace.
        const swapping: FsExec = async (request) => {
          const result = await exec(request);
          if (request.command.includes('stage')) {
            rmSync(join(root, 'file'));
            mkdirSync(join(root, 'file', 'inner'), { recursive: true });
          }
          return result;
        };
        for (let attempt = 0; attempt < 3; attempt++) {
          await assert.rejects(
            new ContainerFs(swapping, root, 10_000).write('/file', Buffer.from('new'), {
              create: true,
              overwrite: true,
            }),
          );
          rmSync(join(root, 'file'), { recursive: true });
          writeFileSync(join(root, 'file'), 'old');
        }
        assert.deepEqual(readdirSync(root), ['file'], 'no temporary file is left');
      });

      it('saves in place when asked, through the same checks', async () => {
        writeFileSync(join(root, 'hosts'), '127.0.0.1 localhost\n');
        await fs.write('/hosts', Buffer.from('10.0.0.1 db\n'), {
          create: false,
          overwrite: true,
          inPlace: true,
        });
        assert.equal(readFileSync(join(root, 'hosts'), 'utf8'), '10.0.0.1 db\n');
        assert.deepEqual(readdirSync(root), ['hosts']);
      });
    });

    describe('finding files and searching text', () => {
      const MAX = 1024 * 1024;

      beforeEach(() => {
        mkdirSync(join(root, 'etc', 'nginx'), { recursive: true });
        writeFileSync(
          join(root, 'etc', 'nginx', 'nginx.conf'),
          'user nginx;\nworker_processes 1;\n',
        );
        writeFileSync(join(root, 'etc', 'hostname'), 'web-1\n');
        // The container's /proc is pruned when the whole root is searched.
        mkdirSync(join(root, 'proc', '1'), { recursive: true });
        writeFileSync(join(root, 'proc', '1', 'environ'), 'WORKER=secret\n');
        writeFileSync(join(root, 'binary.bin'), Buffer.from('worker\0\x01\x02\n'));
        for (const name of ['a:1:b.txt', 'new\nline.txt', '$(touch CANARY)', '-rf']) {
          writeFileSync(join(root, 'etc', name), `first\nthe Worker of ${name}\n`);
        }
        writeFileSync(Buffer.concat([Buffer.from(`${root}/etc/`), NON_UTF8]), 'worker\n');
      });

      it('lists every regular file under a folder in one exec, without /proc', async () => {
        const files = await fs.findFiles('/', MAX);
        assert.equal(files.truncated, false);
        assert.deepEqual(
          [...files.paths].sort(),
          [
            'binary.bin',
            'etc/$(touch CANARY)',
            'etc/-rf',
            'etc/a:1:b.txt',
            `etc/${bytesToName(NON_UTF8)}`,
            'etc/hostname',
            'etc/new\nline.txt',
            'etc/nginx/nginx.conf',
          ].sort(),
        );
        assert.deepEqual((await fs.findFiles('/etc/nginx', MAX)).paths, ['nginx.conf']);
        assert.deepEqual((await fs.findFiles('/proc', MAX)).paths, ['1/environ']);
        const cut = await fs.findFiles('/', 40);
        assert.equal(cut.truncated, true);
        assert.ok(cut.paths.length < files.paths.length);
        await rejectsWith(fs.findFiles('/etc/hostname', MAX), 'ENOTDIR');
      });

      it('finds the lines holding a text, with hostile names and no binary files', async () => {
        const found = await fs.searchText('/', { text: 'worker', ignoreCase: true }, MAX);
        const lines = found.matches.map((match) => `${match.path}:${match.line}:${match.text}`);
        assert.deepEqual(
          lines.sort(),
          [
            'etc/$(touch CANARY):2:the Worker of $(touch CANARY)',
            'etc/-rf:2:the Worker of -rf',
            'etc/a:1:b.txt:2:the Worker of a:1:b.txt',
            `etc/${bytesToName(NON_UTF8)}:1:worker`,
            // The name's newline is in the file too: its line 2 ends there.
            'etc/new\nline.txt:2:the Worker of new',
            'etc/nginx/nginx.conf:2:worker_processes 1;',
          ].sort(),
        );
        const exact = await fs.searchText('/etc', { text: 'Worker', ignoreCase: false }, MAX);
        assert.equal(exact.matches.length, 4);
        assert.ok(exact.matches.every((match) => match.text.includes('Worker')));
        const literal = await fs.searchText('/etc', { text: '$(touch', ignoreCase: false }, MAX);
        assert.deepEqual(
          literal.matches.map((match) => match.path),
          ['$(touch CANARY)'],
        );
        assert.deepEqual(
          (await fs.searchText('/', { text: 'no such text', ignoreCase: true }, MAX)).matches,
          [],
        );
      });
    });

    describe('symbolic links', () => {
      beforeEach(() => {
        mkdirSync(join(root, 'etc'));
        mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
        writeFileSync(join(root, 'etc', 'hostname'), 'inside the root\n');
        writeFileSync(join(root, 'usr', 'lib', 'os-release'), 'ID=inside\n');
      });

      it('resolves an absolute target inside the root, not in the reader’s filesystem', async () => {
        symlinkSync('/etc/hostname', join(root, 'abs'));
        symlinkSync('/usr/lib', join(root, 'lib'));
        assert.equal(Buffer.from(await fs.read('/abs')).toString(), 'inside the root\n');
        assert.equal(Buffer.from(await fs.read('/lib/os-release')).toString(), 'ID=inside\n');
        const stat = await fs.stat('/abs');
        assert.equal(stat.type, FileKind.SymbolicLink | FileKind.File);
        assert.equal(stat.size, 16);
        assert.equal((await fs.stat('/lib')).type, FileKind.SymbolicLink | FileKind.Directory);
        const listed = new Map((await fs.list('/')).map((entry) => [entry.name, entry.type]));
        assert.equal(listed.get('abs'), FileKind.SymbolicLink | FileKind.File);
        assert.equal(listed.get('lib'), FileKind.SymbolicLink | FileKind.Directory);
      });

      it('never climbs above the root with ..', async () => {
        symlinkSync('../../../../../../etc/hostname', join(root, 'usr', 'up'));
        assert.equal(Buffer.from(await fs.read('/usr/up')).toString(), 'inside the root\n');
        symlinkSync('../lib/../../..', join(root, 'usr', 'lib', 'top'));
        assert.deepEqual((await fs.list('/usr/lib/top')).map((entry) => entry.name).sort(), [
          'etc',
          'usr',
        ]);
      });

      it('reports a dangling link, and ends a loop with an error', async () => {
        symlinkSync('/nowhere', join(root, 'dangling'));
        assert.equal((await fs.stat('/dangling')).type, FileKind.SymbolicLink);
        symlinkSync('b', join(root, 'a'));
        symlinkSync('a', join(root, 'b'));
        await rejectsWith(fs.read('/a'), 'ELOOP');
        const listed = new Map((await fs.list('/')).map((entry) => [entry.name, entry.type]));
        assert.equal(listed.get('a'), FileKind.SymbolicLink);
        assert.equal(listed.get('dangling'), FileKind.SymbolicLink);
      });

      it('writes through a link into its target, and deletes the link itself', async () => {
        symlinkSync('/etc/hostname', join(root, 'abs'));
        await fs.write('/abs', Buffer.from('changed'), { create: false, overwrite: true });
        assert.equal(readFileSync(join(root, 'etc', 'hostname'), 'utf8'), 'changed');
        await fs.delete('/abs', false);
        assert.equal(existsSync(join(root, 'etc', 'hostname')), true);
      });
    });
  });
}

describe('ContainerFs over a cut stream', () => {
  it('gives an error, never short data, when a read stops early', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'big'), Buffer.alloc(100_000, 7));
    const exec = localExec('gnu');
    const cut: FsExec = async (request) => {
      let sent = 0;
      const result = await exec({
        ...request,
        onStdout: (chunk) => {
          const room = Math.max(0, 50_000 - sent);
          sent += chunk.length;
          if (room > 0) {
            request.onStdout?.(chunk.subarray(0, room));
          }
        },
      });
      return result;
    };
    await rejectsWith(new ContainerFs(cut, root, 10_000).read('/big'), 'ESHORT');
  });

  it('leaves the original when the upload is cut short', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'file'), 'original');
    const exec = localExec('gnu');
    const cut: FsExec = (request) =>
      exec({ ...request, stdin: request.stdin?.subarray(0, Math.floor(request.stdin.length / 2)) });
    await rejectsWith(
      new ContainerFs(cut, root, 10_000).write('/file', Buffer.alloc(10_000, 1), {
        create: false,
        overwrite: true,
      }),
      'ESHORT',
    );
    assert.equal(readFileSync(join(root, 'file'), 'utf8'), 'original');
    assert.deepEqual(readdirSync(root), ['file']);
  });

  it('stops a read at once when the container sends more than it announced', async () => {
    const root = fakeRoot();
    let stopped = false;
    const flooding: FsExec = (request) =>
      new Promise((resolve, reject) => {
        const nonce = request.command[5];
        request.onStdout?.(Buffer.from(`${nonce} size 4\nabcd`));
        // A container that keeps sending: only the abort ends it.
        const timer = setInterval(() => request.onStdout?.(Buffer.alloc(65536)), 1);
        request.signal?.addEventListener('abort', () => {
          stopped = true;
          clearInterval(timer);
          reject(new Error('cancelled'));
        });
        void resolve;
      });
    await rejectsWith(new ContainerFs(flooding, root, 10_000).read('/file'), 'ESHORT');
    assert.ok(stopped, 'the exec was stopped');
  });
});
