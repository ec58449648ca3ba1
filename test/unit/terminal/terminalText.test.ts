import * as assert from 'node:assert/strict';
import { resizeSequence } from '../../../src/terminal/terminalSize';
import {
  CLEAR_LINE,
  noticeLines,
  TerminalOutputDecoder,
  terminalName,
  transientNote,
} from '../../../src/terminal/terminalText';

describe('terminal: output text', () => {
  it('keeps a multibyte character whole when frames split it', () => {
    const text = 'ps → 🐧 ok';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new TerminalOutputDecoder('asSent');
      const out =
        decoder.decode(bytes.subarray(0, cut)) +
        decoder.decode(bytes.subarray(cut)) +
        decoder.end();
      assert.equal(out, text, `cut at ${cut}`);
    }
  });

  it('shows an incomplete character at the end as U+FFFD', () => {
    const decoder = new TerminalOutputDecoder('asSent');
    assert.equal(decoder.decode(Buffer.from([0x61, 0xe2, 0x86])), 'a');
    assert.equal(decoder.end(), '\ufffd');
  });

  it('turns bare line feeds into CR LF without a tty, and leaves a tty’s output alone', () => {
    const output = Buffer.from('one\ntwo\r\nthree');
    assert.equal(new TerminalOutputDecoder('toCrLf').decode(output), 'one\r\ntwo\r\nthree');
    assert.equal(new TerminalOutputDecoder('asSent').decode(output), 'one\ntwo\r\nthree');
  });

  it('writes notices on lines of their own, without the control characters of a message', () => {
    assert.equal(noticeLines('done', 'note'), '\r\n\x1b[2mdone\x1b[0m\r\n');
    assert.equal(
      noticeLines('Forbidden\nline two\x1b[2J', 'error'),
      '\r\n\x1b[31mForbidden\x1b[0m\r\n\x1b[31mline two[2J\x1b[0m\r\n',
    );
    assert.equal(transientNote('Attaching\nto x…'), '\x1b[2mAttaching to x…\x1b[0m');
    assert.equal(CLEAR_LINE, '\r\x1b[2K');
  });

  it('names a terminal after pod and container', () => {
    assert.equal(terminalName('nginx', 'shell'), 'nginx/shell');
  });
});

describe('terminal: size', () => {
  it('sends an attach’s first size one cell larger, then the real one, as kubectl does', () => {
    assert.deepEqual(resizeSequence({ columns: 80, rows: 24 }, true), [
      { columns: 81, rows: 25 },
      { columns: 80, rows: 24 },
    ]);
  });

  it('sends a later size (and a shell’s) once', () => {
    assert.deepEqual(resizeSequence({ columns: 120, rows: 40 }, false), [
      { columns: 120, rows: 40 },
    ]);
  });

  it('never sends a size below one cell', () => {
    assert.deepEqual(resizeSequence({ columns: 0, rows: 0 }, false), [{ columns: 1, rows: 1 }]);
  });
});
