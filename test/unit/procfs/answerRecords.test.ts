// The remote script's answers as the extension reads them: records, refusals, stats, listings,
// file lists and search results, from canned bytes.
import assert from 'node:assert/strict';
import {
  FileKind,
  RemoteFsError,
  parseDone,
  parseFileList,
  parseListing,
  parseStat,
  parseTextMatches,
  remoteFailure,
  splitRecords,
  throwIfRefused,
} from '../../../src/procfs/remoteOutput';

const NONCE = 'ppe5f0c1d2e3a4b';
/** The text with `N ` standing for the nonce's head of a record. */
const answer = (...parts: (string | Buffer)[]) =>
  Buffer.concat(
    parts.map((part) =>
      typeof part === 'string' ? Buffer.from(part.replaceAll('N ', `${NONCE} `)) : part,
    ),
  );

function refusal(run: () => unknown): { code: string; detail: string; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof RemoteFsError, String(error));
    assert.equal(error.name, 'RemoteFsError');
    return { code: error.code, detail: error.detail, message: error.message };
  }
  assert.fail('nothing was thrown');
}

describe('procfs answers: records', () => {
  it('splits at a newline followed by the nonce, and drops one final newline', () => {
    const records = (text: string) =>
      splitRecords(answer(text), NONCE).map((record) => record.toString());
    assert.deepEqual(records('N a\nN b\n'), ['a', 'b']);
    assert.deepEqual(records('N a\nN b'), ['a', 'b']);
    assert.deepEqual(records('N a\n\nN b\n\n'), ['a\n', 'b\n']);
    assert.deepEqual(records('N a b\nc\nN \n'), ['a b\nc', '']);
    assert.deepEqual(records(`N x\n${NONCE}y\nN z`), [`x\n${NONCE}y`, 'z']);
  });

  it('finds no record in an answer that does not start with the nonce', () => {
    assert.deepEqual(splitRecords(answer(' N a\n'), NONCE), []);
    assert.deepEqual(splitRecords(answer(`${NONCE}\n`), NONCE), []);
    assert.deepEqual(splitRecords(Buffer.alloc(0), NONCE), []);
    assert.deepEqual(splitRecords(answer('ppe5f0c1d2e3a4c a\n'), NONCE), []);
  });
});

describe('procfs answers: refusals', () => {
  it('throws each refusal the script states, with its detail', () => {
    for (const code of [
      'ENOENT',
      'EEXIST',
      'ENOTDIR',
      'EISDIR',
      'ENOTEMPTY',
      'EACCES',
      'ELOOP',
      'EPTRACE',
      'ESRCH',
      'ETOOL',
      'ESHORT',
      'ERACE',
      'ESPECIAL',
      'EFBIG',
      'EXDEV',
      'EINVAL',
    ]) {
      assert.equal(refusal(() => throwIfRefused(Buffer.from(`err ${code}`))).code, code);
    }
    assert.deepEqual(
      refusal(() => throwIfRefused(Buffer.from('err ETOOL stat'))),
      { code: 'ETOOL', detail: 'stat', message: 'ETOOL: stat' },
    );
    assert.deepEqual(
      refusal(() => throwIfRefused(Buffer.from('err EIO find failed here'))),
      { code: 'EIO', detail: 'find failed here', message: 'EIO: find failed here' },
    );
    assert.deepEqual(
      refusal(() => throwIfRefused(Buffer.from('err ENOENT'))),
      {
        code: 'ENOENT',
        detail: '',
        message: 'ENOENT',
      },
    );
  });

  it('names the code alone when there is no detail', () => {
    const error = new RemoteFsError('ENOENT');
    assert.deepEqual([error.message, error.detail], ['ENOENT', '']);
  });

  it('takes a code it does not know for an I/O error', () => {
    assert.equal(refusal(() => throwIfRefused(Buffer.from('err EWHATEVER x'))).code, 'EIO');
    assert.equal(refusal(() => throwIfRefused(Buffer.from('err '))).code, 'EIO');
  });

  it('finds no refusal in other records', () => {
    for (const record of ['error ENOENT', 'err', 'erENOENT', 'list', ' err ENOENT', '']) {
      assert.doesNotThrow(() => throwIfRefused(Buffer.from(record)), record);
    }
    assert.doesNotThrow(() => throwIfRefused(undefined));
  });

  it('maps what failing tools write on stderr, trimmed', () => {
    const cases: [string, string][] = [
      ['sh: ./a: changed while it was opened', 'ERACE'],
      ["rm: can't remove './a': No such file or directory", 'ENOENT'],
      ["mkdir: can't create directory './a': File exists", 'EEXIST'],
      ["cd: can't cd to ./a: Not a directory", 'ENOTDIR'],
      ['cat: read error: Is a directory', 'EISDIR'],
      ["rmdir: './d': Directory not empty", 'ENOTEMPTY'],
      ["mv: cannot move './a' to './b': Read-only file system", 'EROFS'],
      ["sh: can't create ./.t: Permission denied", 'EACCES'],
      ['chown: ./a: Operation not permitted', 'EACCES'],
      ['head: write error: No space left on device', 'ENOSPC'],
      ['cat: write error: Disk quota exceeded', 'ENOSPC'],
      ["stat: can't stat './l': Too many levels of symbolic links", 'ELOOP'],
      ["stat: './l': Symbolic link loop", 'ELOOP'],
      ["mv: cannot move './a' to './b': Device or resource busy", 'EBUSY'],
      ["mv: cannot move './a' to '/proc/self/fd/5/b': Invalid cross-device link", 'EXDEV'],
      ['Segmentation fault', 'EIO'],
    ];
    for (const [stderr, code] of cases) {
      const error = remoteFailure(2, Buffer.from(`  ${stderr}\n`));
      assert.equal(error.code, code, stderr);
      assert.equal(error.detail, stderr);
    }
    assert.equal(remoteFailure(126, Buffer.from(' \n')).message, 'EIO: exit status 126');
  });
});

describe('procfs answers: stat', () => {
  const stat = (record: string) => parseStat(answer(`N ${record}\n`), NONCE);

  it('reads the type, size, mtime and writability', () => {
    assert.deepEqual(stat('stat 0 1 81a4 20 1700000000'), {
      type: FileKind.File,
      size: 20,
      mtimeSeconds: 1_700_000_000,
      writable: true,
    });
    assert.deepEqual(stat('stat 0 0 41ed 4096 1'), {
      type: FileKind.Directory,
      size: 4096,
      mtimeSeconds: 1,
      writable: false,
    });
  });

  it('ORs a link with the type of its target, and gives a dangling link no target type', () => {
    assert.equal(stat('stat 1 1 41ed 4096 1').type, FileKind.SymbolicLink | FileKind.Directory);
    assert.equal(stat('stat 1 1 81a4 3 1').type, FileKind.SymbolicLink | FileKind.File);
    assert.equal(stat('stat dangling 0 a1ff 11 1').type, FileKind.SymbolicLink);
    assert.equal(stat('stat 0 0 a1ff 11 1').type, FileKind.SymbolicLink);
  });

  it('gives devices, FIFOs and sockets no type VS Code could open', () => {
    for (const mode of ['21a4', '61b0', '11a4', 'c1ed', '1a4']) {
      assert.equal(stat(`stat 0 1 ${mode} 0 1`).type, FileKind.Unknown, mode);
    }
  });

  it('throws a refusal, and an I/O error for anything else', () => {
    assert.equal(refusal(() => stat('err ENOENT')).code, 'ENOENT');
    for (const record of [
      'stat 2 1 81a4 20 1',
      'stat 0 1 81A4 20 1',
      'stat 0 1 81a4 -1 1',
      'stat 0 1 81a4 20',
      'stat 0 1 81a4 20 1 x',
      'xstat 0 1 81a4 20 1',
      'stat 0 2 81a4 20 1',
    ]) {
      const error = refusal(() => stat(record));
      assert.equal(error.code, 'EIO', record);
      assert.match(error.detail, /^unexpected stat output: ppe5f0c1d2e3a4b /);
    }
    assert.equal(refusal(() => parseStat(Buffer.alloc(0), NONCE)).code, 'EIO');
  });
});

describe('procfs answers: listings', () => {
  it('reads every entry with its mode, size and mtime', () => {
    const entries = parseListing(
      answer(
        'N list\n',
        'N 81ed 120 1700000000 ./run.sh\n',
        'N 41c0 4096 1700000001 ./private\n',
        'N a1ff 9 1700000002 ./to-dir\n',
        'N a1ff 9 1700000003 ./to-file\n',
        'N a1ff 9 1700000004 ./to-fifo\n',
        'N a1ff 9 1700000005 ./dangling\n',
        'N 11a4 0 1700000006 ./fifo\n',
        'N link d ./to-dir\n',
        'N link f ./to-file\n',
        'N link - ./to-fifo\n',
        'N end\n',
      ),
      NONCE,
    );
    assert.deepEqual(entries, [
      { name: 'run.sh', type: FileKind.File, size: 120, mtimeSeconds: 1_700_000_000, mode: 0o755 },
      {
        name: 'private',
        type: FileKind.Directory,
        size: 4096,
        mtimeSeconds: 1_700_000_001,
        mode: 0o700,
      },
      {
        name: 'to-dir',
        type: FileKind.SymbolicLink | FileKind.Directory,
        size: 9,
        mtimeSeconds: 1_700_000_002,
        mode: 0o777,
      },
      {
        name: 'to-file',
        type: FileKind.SymbolicLink | FileKind.File,
        size: 9,
        mtimeSeconds: 1_700_000_003,
        mode: 0o777,
      },
      {
        name: 'to-fifo',
        type: FileKind.SymbolicLink,
        size: 9,
        mtimeSeconds: 1_700_000_004,
        mode: 0o777,
      },
      {
        name: 'dangling',
        type: FileKind.SymbolicLink,
        size: 9,
        mtimeSeconds: 1_700_000_005,
        mode: 0o777,
      },
      { name: 'fifo', type: FileKind.Unknown, size: 0, mtimeSeconds: 1_700_000_006, mode: 0o644 },
    ]);
  });

  it('keeps the setuid, setgid and sticky bits, and reads names as bytes', () => {
    const entries = parseListing(
      answer(
        'N list\nN 8de4 1 1 ./su\nN 43ff 1 1 ./tmp\nN 81a4 1 1 ./',
        Buffer.from([0xff]),
        '\nN end',
      ),
      NONCE,
    );
    assert.deepEqual(
      entries.map((entry) => [entry.name, entry.mode]),
      [
        ['su', 0o6744],
        ['tmp', 0o1777],
        ['\u{10ffff}', 0o644],
      ],
    );
  });

  it('skips records it cannot read, and takes a later record of a name over an earlier one', () => {
    const entries = parseListing(
      answer(
        'N list\n',
        'N 81a4 1 1 a\n',
        'N 81a4 x 1 ./bad-size\n',
        'N link x ./a\n',
        'N 81a4 1 1 ./same\n',
        'N 81a4 7 1 ./x link f ./y\n',
        'N 81a4 2 2 ./same\n',
        'N end\n',
      ),
      NONCE,
    );
    assert.deepEqual(entries, [
      { name: 'same', type: FileKind.File, size: 2, mtimeSeconds: 2, mode: 0o644 },
      { name: 'x link f ./y', type: FileKind.File, size: 7, mtimeSeconds: 1, mode: 0o644 },
    ]);
  });

  it('treats a listing without its list or end record as cut', () => {
    for (const text of [
      'N 81a4 1 1 ./a\nN end\n',
      'N list\nN 81a4 1 1 ./a\n',
      'N list\nN ends\n',
      '',
    ]) {
      const error = refusal(() => parseListing(answer(text), NONCE));
      assert.deepEqual([error.code, error.detail], ['ESHORT', 'the listing ended early'], text);
    }
  });

  it('throws a refusal stated first or last', () => {
    assert.equal(refusal(() => parseListing(answer('N err ENOTDIR\n'), NONCE)).code, 'ENOTDIR');
    assert.deepEqual(
      refusal(() => parseListing(answer('N list\nN 81a4 1 1 ./a\nN err EIO find\n'), NONCE)),
      { code: 'EIO', detail: 'find', message: 'EIO: find' },
    );
  });
});

describe('procfs answers: done', () => {
  it('takes the expected word only', () => {
    assert.doesNotThrow(() => parseDone(answer('N done\n'), NONCE));
    assert.doesNotThrow(() => parseDone(answer('N staged\n'), NONCE, 'staged'));
    assert.deepEqual(
      [refusal(() => parseDone(answer('N staged\n'), NONCE))].map((e) => [e.code, e.detail]),
      [['ESHORT', 'no "done" from the container']],
    );
    assert.equal(
      refusal(() => parseDone(answer('N done\n'), NONCE, 'staged')).detail,
      'no "staged" from the container',
    );
    assert.equal(refusal(() => parseDone(Buffer.alloc(0), NONCE)).code, 'ESHORT');
    assert.equal(refusal(() => parseDone(answer('N err EXDEV\n'), NONCE)).code, 'EXDEV');
  });
});

describe('procfs answers: file lists', () => {
  const files = (...paths: string[]) => `N files\n${paths.map((path) => `./${path}\0`).join('')}\n`;

  it('reads the paths, a name with a newline too', () => {
    assert.deepEqual(
      parseFileList(answer(files('etc/hosts', 'a\nb', 'x y'), 'N end 0\n'), NONCE, 4096),
      {
        paths: ['etc/hosts', 'a\nb', 'x y'],
        truncated: false,
        incomplete: false,
      },
    );
    assert.deepEqual(parseFileList(answer('N files\n\nN end 0\n'), NONCE, 4096).paths, []);
  });

  it('drops a last path the byte limit cut, and says the list is truncated', () => {
    const text = 'N files\n./aaaa\0./bbbb\0./cc';
    const cut = parseFileList(answer(`${text}\nN end 141\n`), NONCE, 18);
    assert.deepEqual(cut, { paths: ['aaaa', 'bbbb'], truncated: true, incomplete: false });
    // Exactly at the limit is truncated; one byte under is whole.
    assert.equal(parseFileList(answer('N files\n./a\0./b\0\nN end 0\n'), NONCE, 8).truncated, true);
    assert.equal(
      parseFileList(answer('N files\n./a\0./b\0\nN end 0\n'), NONCE, 9).truncated,
      false,
    );
  });

  it('says the list is incomplete when find failed, not when head stopped it', () => {
    const status = (code: number, maxBytes = 4096) =>
      parseFileList(answer(files('a'), `N end ${code}\n`), NONCE, maxBytes);
    assert.equal(status(1).incomplete, true);
    assert.equal(status(128).incomplete, true);
    assert.equal(status(129).incomplete, false);
    assert.equal(status(0).incomplete, false);
    // A truncated list says so, not that it is incomplete.
    assert.deepEqual(status(1, 3), { paths: ['a'], truncated: true, incomplete: false });
  });

  it('treats a list without its end, or without its files section, as cut', () => {
    for (const text of [
      '',
      'N files\n./a\0./backend 1',
      files('a'),
      `${files('a')}N end\n`,
      `${files('a')}N end x\n`,
      `${files('a')}N end 0 1\n`,
    ]) {
      const error = refusal(() => parseFileList(answer(text), NONCE, 4096));
      assert.deepEqual([error.code, error.detail], ['ESHORT', 'the file list ended early'], text);
    }
    assert.equal(
      refusal(() => parseFileList(answer('N files\nN end 0\n'), NONCE, 4096)).detail,
      'no "files" section from the container',
    );
    const error = refusal(() => parseFileList(answer('N filesx\n./a\0\nN end 0\n'), NONCE, 4096));
    assert.deepEqual(
      [error.code, error.detail],
      ['ESHORT', 'no "files" section from the container'],
    );
    assert.equal(
      refusal(() => parseFileList(answer('N err EACCES\n'), NONCE, 4096)).code,
      'EACCES',
    );
  });
});

describe('procfs answers: text search', () => {
  const search = (paths: string[], matches: string, end = 'N end 0\n', maxBytes = 4096) =>
    parseTextMatches(
      answer(
        `N files\n${paths.map((path) => `./${path}\0`).join('')}\nN matches\n${matches}\n`,
        end,
      ),
      NONCE,
      maxBytes,
    );

  it('finds the path, line and text of each match', () => {
    const found = search(
      ['etc/nginx.conf', 'a:1:b', 'new\nline'],
      './etc/nginx.conf:12:    listen 80;\n./a:1:b:3:x:y\n./new\nline:7:hit\n',
    );
    assert.deepEqual(found.matches, [
      { path: 'etc/nginx.conf', line: 12, text: '    listen 80;' },
      { path: 'a:1:b', line: 3, text: 'x:y' },
      { path: 'new\nline', line: 7, text: 'hit' },
    ]);
    assert.deepEqual(found.paths, ['etc/nginx.conf', 'a:1:b', 'new\nline']);
    assert.equal(found.truncated, false);
    assert.equal(found.incomplete, false);
  });

  it('reads a line as UTF-8 and a path as bytes', () => {
    const found = parseTextMatches(
      answer(
        'N files\n./caf',
        Buffer.from([0xe9]),
        '\0\nN matches\n./caf',
        Buffer.from([0xe9]),
        ':2:',
        Buffer.from('naïve'),
        '\n\nN end 0\n',
      ),
      NONCE,
      4096,
    );
    assert.deepEqual(found.matches, [{ path: 'caf\u{10ffe9}', line: 2, text: 'naïve' }]);
  });

  it('leaves out binary lines and lines of files it did not list', () => {
    const found = search(
      ['a', 'b'],
      './a:1:bin\0ary\n./c:2:other\n./a:3:text\nstray line\n./b:x:no\n',
    );
    assert.deepEqual(found.matches, [{ path: 'a', line: 3, text: 'text' }]);
  });

  it('takes the last line even without its newline', () => {
    const found = parseTextMatches(
      answer('N files\n./a\0\nN matches\n./a:1:first\n./a:2:last\nN end 0\n'),
      NONCE,
      4096,
    );
    assert.deepEqual(
      found.matches.map((match) => match.text),
      ['first', 'last'],
    );
  });

  it('says a search is truncated at either limit, and incomplete when find failed', () => {
    assert.equal(search(['a'], './a:1:' + 'x'.repeat(40), 'N end 0\n', 46).truncated, true);
    assert.equal(search(['a'], './a:1:' + 'x'.repeat(40), 'N end 0\n', 47).truncated, false);
    // grep's last newline is not part of what head cut: 47 bytes that end in one are whole.
    assert.equal(search(['a'], `./a:1:${'x'.repeat(40)}\n`, 'N end 0\n', 47).truncated, false);
    assert.equal(search(['a'], `./a:1:${'x'.repeat(40)}\n`, 'N end 0\n', 46).truncated, true);
    assert.equal(search(['aaaaaaaa'], '', 'N end 0\n', 11).truncated, true);
    assert.deepEqual(
      [search(['a'], '', 'N end 2\n').incomplete, search(['a'], '', 'N end 2\n', 3).incomplete],
      [true, false],
    );
    assert.equal(search(['a'], '', 'N end 141\n').incomplete, false);
  });

  it('treats a search without its end or a section as cut', () => {
    const cut = (text: string) => refusal(() => parseTextMatches(answer(text), NONCE, 4096));
    assert.deepEqual(
      [cut('N files\n./a\0\nN matches\n./a:1:x\n').detail, cut('N files\n./a\0\nN end 0\n').detail],
      ['the search ended early', 'the search ended early'],
    );
    assert.equal(
      cut('N files\n./a\0\nN matches\n\nN matches\n\nN end 0\n').detail,
      'the search ended early',
    );
    assert.equal(
      cut('N files\n./a\0\nN match\nx\nN end 0\n').detail,
      'no "matches" section from the container',
    );
    assert.equal(cut('N err ENOENT\n').code, 'ENOENT');
    assert.equal(cut('N files\n./a\0\nN matches\n\nN ended\n').detail, 'the search ended early');
  });

  it('takes the longest listed path a line can start with', () => {
    const found = search(['a', 'a:b'], './a:b:3:x\n./a:4:y\n');
    assert.deepEqual(found.matches, [
      { path: 'a:b', line: 3, text: 'x' },
      { path: 'a', line: 4, text: 'y' },
    ]);
  });

  it('ignores a line cut before its line number', () => {
    const found = search(['a', 'bb'], './a:1:x\n./bb', 'N end 141\n', 12);
    assert.deepEqual(found.matches, [{ path: 'a', line: 1, text: 'x' }]);
    assert.equal(found.truncated, true);
  });

  it('matches a path no longer than the longest listed', () => {
    const found = search(['ab'], './ab:1:x\n./abc:2:y\n');
    assert.deepEqual(found.matches, [{ path: 'ab', line: 1, text: 'x' }]);
  });
});
