import assert from 'node:assert/strict';
import {
  bytesToName,
  nameToBytes,
  parseRootAuthority,
  rootAuthority,
  rootFolderName,
  type ProcessRoot,
} from '../../../src/procfs/procfsUri';
import { pathArgument } from '../../../src/procfs/remoteScript';
import {
  FileKind,
  parseFileList,
  parseListing,
  parseTextMatches,
  remoteFailure,
  splitRecords,
} from '../../../src/procfs/remoteOutput';

const ROOT: ProcessRoot = {
  context: 'Kind-Sandbox:admin@prod/eu+1',
  namespace: 'default',
  pod: 'nginx.web-0',
  container: 'nginx',
  pid: 8,
  inspector: 'shell',
};

describe('procfs URIs', () => {
  it('round-trips every field through the authority, in any case', () => {
    const authority = rootAuthority(ROOT);
    assert.match(authority, /^[a-z0-9.~+-]+$/);
    assert.deepEqual(parseRootAuthority(authority), ROOT);
    assert.deepEqual(parseRootAuthority(authority.toUpperCase()), ROOT);
    assert.equal(authority.split('+').length, 6);
  });

  it('escapes the escape character itself: a context named ctx~41 stays ctx~41', () => {
    const root = { ...ROOT, context: 'ctx~41', pod: '~' };
    const authority = rootAuthority(root);
    assert.ok(!authority.includes('~41+'), authority);
    assert.deepEqual(parseRootAuthority(authority), root);
  });

  it('refuses authorities that are not ours', () => {
    for (const authority of [
      '',
      'a+b+c+d+0+e',
      'a+b+c+d+x+e',
      'a+b+c+d+8',
      'a+b+c+d+8+e+f',
      'a+b+c+d+8+~zz',
    ]) {
      assert.equal(parseRootAuthority(authority), undefined, authority);
    }
  });

  it('names the folder after pod, container and PID', () => {
    assert.equal(rootFolderName(ROOT), 'nginx.web-0/nginx · PID 8');
  });

  it('maps any bytes of a name to a string and back', () => {
    const samples = [
      Buffer.from('plain.txt'),
      Buffer.from('new\nline and space'),
      Buffer.from('日本語.conf'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      Buffer.from([0xff, 0xfe, 0x80, 0x41]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('\u{10ff80}\u{10ffff}'),
      Buffer.from([0xf4, 0x8f, 0xbe]),
    ];
    for (const bytes of samples) {
      const name = bytesToName(bytes);
      assert.deepEqual(nameToBytes(name), bytes, JSON.stringify(name));
      assert.doesNotThrow(() => encodeURIComponent(name));
    }
    assert.equal(bytesToName(Buffer.from('日本語')), '日本語');
  });

  it('passes a UTF-8 path as itself and other bytes as octal escapes', () => {
    assert.equal(pathArgument('/etc/nginx/nginx.conf'), 'r/etc/nginx/nginx.conf');
    assert.equal(pathArgument('/$(x) `y`'), 'r/$(x) `y`');
    assert.equal(pathArgument(`/${bytesToName(Buffer.from([0x61, 0xe9, 0x25]))}`), 'o/a\\351\\045');
  });
});

describe('procfs output', () => {
  const nonce = 'ppe0123';

  it('splits records only where a newline is followed by the nonce', () => {
    const output = Buffer.from(`${nonce} list\n${nonce} 81a4 3 1 ./a\nppe0123x\n${nonce} end\n`);
    assert.deepEqual(
      splitRecords(output, nonce).map((record) => record.toString()),
      ['list', '81a4 3 1 ./a\nppe0123x', 'end'],
    );
    assert.deepEqual(splitRecords(Buffer.from('forged'), nonce), []);
  });

  it('parses a listing of hostile names, links ORed with their targets', () => {
    const output = Buffer.concat([
      Buffer.from(`${nonce} list\n`),
      Buffer.from(`${nonce} 81a4 5 1700000000 ./new\nline\n`),
      Buffer.from(`${nonce} 41ed 4096 1700000001 ./-rf\n`),
      Buffer.from(`${nonce} a1ff 4 1700000002 ./$(x)\n`),
      Buffer.from(`${nonce} 81a4 1 1 ./`),
      Buffer.from([0xe9, 0x0a]),
      Buffer.from(`${nonce} link d ./$(x)\n${nonce} end\n`),
    ]);
    const entries = new Map(parseListing(output, nonce).map((entry) => [entry.name, entry]));
    assert.equal(entries.get('new\nline')?.type, FileKind.File);
    assert.equal(entries.get('new\nline')?.size, 5);
    assert.equal(entries.get('-rf')?.type, FileKind.Directory);
    assert.equal(entries.get('$(x)')?.type, FileKind.SymbolicLink | FileKind.Directory);
    assert.equal(entries.get(bytesToName(Buffer.from([0xe9])))?.mode, 0o644);
  });

  it('treats a file list or a search without its end record as cut, never as complete', () => {
    const files = Buffer.from(`${nonce} files\n./a\0./b\0\n`);
    assert.throws(() => parseFileList(files, nonce, 1 << 20), /ESHORT/);
    const whole = parseFileList(
      Buffer.concat([files, Buffer.from(`${nonce} end 0\n`)]),
      nonce,
      1 << 20,
    );
    assert.deepEqual(whole, { paths: ['a', 'b'], truncated: false, incomplete: false });
    const partial = parseFileList(
      Buffer.concat([files, Buffer.from(`${nonce} end 1\n`)]),
      nonce,
      1 << 20,
    );
    assert.equal(partial.incomplete, true, 'find failed on some folder');
    const search = Buffer.from(`${nonce} files\n./a\0\n${nonce} matches\n./a:1:x\n`);
    assert.throws(() => parseTextMatches(search, nonce, 1 << 20), /ESHORT/);
  });

  it('treats a listing without its end as cut', () => {
    assert.throws(
      () => parseListing(Buffer.from(`${nonce} list\n${nonce} 81a4 5 1 ./a\n`), nonce),
      /ESHORT/,
    );
  });

  it('maps the reasons GNU tools and busybox give', () => {
    const cases: [string, string][] = [
      ["stat: cannot statx './x': No such file or directory", 'ENOENT'],
      ["stat: can't stat './x': No such file or directory", 'ENOENT'],
      ["mv: cannot move './a' to './b': Read-only file system", 'EROFS'],
      ["sh: can't create ./.ppe-1.tmp: Permission denied", 'EACCES'],
      ["rmdir: './d': Directory not empty", 'ENOTEMPTY'],
      ['head: write error: No space left on device', 'ENOSPC'],
      ['something else', 'EIO'],
    ];
    for (const [stderr, code] of cases) {
      assert.equal(remoteFailure(1, Buffer.from(stderr)).code, code, stderr);
    }
  });
});
