import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  SHELL_PROBE_COMMAND,
  ShellStartReader,
  shellFromProbe,
} from '../../../src/terminal/shellCommand';
import { resizeSequence } from '../../../src/terminal/terminalSize';
import {
  TerminalOutputDecoder,
  noticeLines,
  transientNote,
} from '../../../src/terminal/terminalText';

const START = '\x1b]pod-process-explorer-shell-pid;';

/** What a fresh reader shows of `output` pushed in one frame, and the shell it learnt. */
function readOnce(output: string): { shown: string; shell: unknown; settled: boolean } {
  const reader = new ShellStartReader();
  const shown = reader.push(Buffer.from(output, 'latin1')).toString('latin1');
  return { shown, shell: reader.shell, settled: reader.settled };
}

describe('terminal: the shell’s announcement at its limits', () => {
  it('takes a PID of ten digits and a start time of twenty', () => {
    assert.deepEqual(readOnce(`${START}4294967295;10000000000000000000\x07$ `), {
      shown: '$ ',
      shell: { pid: 4294967295, startTicks: 1e19 },
      settled: true,
    });
    assert.deepEqual(readOnce(`${START}1;0\x07`).shell, { pid: 1, startTicks: 0 });
  });

  it('shows an announcement with a PID or start time it cannot be, as output', () => {
    for (const body of [
      '0;5',
      '01;5',
      '12345678901;5',
      '7;123456789012345678901',
      '7;',
      ';5',
      '7',
    ]) {
      const output = `${START}${body}\x07$ `;
      assert.deepEqual(readOnce(output), { shown: output, shell: undefined, settled: true }, body);
    }
  });

  it('holds back a PID and start time as long as they could still fit', () => {
    const longest = `${START}${'1'.repeat(10)};${'2'.repeat(20)}`;
    assert.deepEqual(readOnce(longest), { shown: '', shell: undefined, settled: false });
    assert.deepEqual(readOnce(`${longest}3`), {
      shown: `${longest}3`,
      shell: undefined,
      settled: true,
    });
    assert.deepEqual(readOnce(`${START}12;`).settled, false);
    assert.deepEqual(readOnce(`${START};`).settled, false);
    assert.deepEqual(readOnce(`${START}12;3;`), {
      shown: `${START}12;3;`,
      shell: undefined,
      settled: true,
    });
    assert.deepEqual(readOnce(`${START}a`).settled, true);
    assert.deepEqual(readOnce(`x${START}`).settled, true);
  });

  it('holds back a start of the announcement, and shows what diverges from it', () => {
    assert.equal(readOnce('\x1b').settled, false);
    assert.equal(readOnce(START).settled, false);
    assert.deepEqual(readOnce('\x1b]pod-x'), {
      shown: '\x1b]pod-x',
      shell: undefined,
      settled: true,
    });
  });

  it('gives nothing more at the end once settled', () => {
    const reader = new ShellStartReader();
    reader.push(Buffer.from('$ '));
    assert.equal(reader.flush().length, 0);
    const held = new ShellStartReader();
    held.push(Buffer.from('\x1b]pod'));
    assert.equal(held.flush().toString(), '\x1b]pod');
    assert.equal(held.flush().length, 0);
    assert.equal(held.settled, true);
  });

  it('probes in a real sh: bash where the container has it, else sh', () => {
    const [, ...args] = SHELL_PROBE_COMMAND;
    const probe = (path: string) =>
      shellFromProbe(execFileSync('/bin/sh', args, { env: { PATH: path } }).toString());
    assert.equal(probe('/usr/bin:/bin'), 'bash');
    assert.equal(probe('/nonexistent'), 'sh');
  });

  it('takes the probe’s answer with the spaces around it', () => {
    assert.equal(shellFromProbe('  bash \r\n'), 'bash');
    assert.equal(shellFromProbe('bash sh'), 'sh');
  });
});

describe('terminal: text at its limits', () => {
  it('ends every kind of line break of a message as CR LF', () => {
    assert.equal(
      noticeLines('one\rtwo\r\nthree\nfour', 'note'),
      '\r\n\x1b[2mone\x1b[0m\r\n\x1b[2mtwo\x1b[0m\r\n\x1b[2mthree\x1b[0m\r\n\x1b[2mfour\x1b[0m\r\n',
    );
    assert.equal(transientNote('a\r\nb\rc'), '\x1b[2ma b c\x1b[0m');
  });

  it('drops C0 and C1 control characters but keeps tabs and printable text', () => {
    assert.equal(
      transientNote('\x00a\x08b\tc\x0bd\x0c\x1fe \x7ff\x80\x9fg\xa0h~'),
      '\x1b[2mab\tcde fg\xa0h~\x1b[0m',
    );
  });

  it('turns every bare line feed of a frame into CR LF, none twice', () => {
    const decoder = new TerminalOutputDecoder('toCrLf');
    assert.equal(decoder.decode(Buffer.from('a\n\nb\r\n')), 'a\r\n\r\nb\r\n');
    assert.equal(decoder.decode(Buffer.from([0x0a])), '\r\n');
    assert.equal(decoder.end(), '');
    const pending = new TerminalOutputDecoder('toCrLf');
    assert.equal(pending.decode(Buffer.from([0xe2, 0x86])), '');
    assert.equal(pending.end(), '\ufffd');
  });

  it('keeps each dimension of a size at one cell at least, on its own', () => {
    assert.deepEqual(resizeSequence({ columns: 0, rows: 30 }, false), [{ columns: 1, rows: 30 }]);
    assert.deepEqual(resizeSequence({ columns: 100, rows: -1 }, true), [
      { columns: 101, rows: 2 },
      { columns: 100, rows: 1 },
    ]);
  });
});
