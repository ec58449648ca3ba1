import assert from 'node:assert/strict';
import fc from 'fast-check';
import { simpleCommands, wordOffset } from '../../../src/manifest/server/shellScript';

/** Each simple command as its words joined by spaces, assignments first (marked with `=`). */
function commands(script: string): string[] {
  return simpleCommands(script).map((command) =>
    [...command.assignments, ...command.words].map((word) => word.value).join(' '),
  );
}

describe('shell script tokenizer', () => {
  it('splits on ; & && || | |& and newlines', () => {
    assert.deepEqual(commands('a 1; b 2 & c && d || e | f |& g\nh'), [
      'a 1',
      'b 2',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
    ]);
  });

  it('finds commands after do, then, else, elif, !, { and ( and drops the reserved words', () => {
    assert.deepEqual(commands('while true; do sleep 5; kill -HUP 1; done'), [
      'true',
      'sleep 5',
      'kill -HUP 1',
    ]);
    assert.deepEqual(
      commands('if [ -f x ]; then a; elif b; then c; else d; fi; ! e; { f; }; (g; h)'),
      ['[ -f x ]', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    );
    assert.deepEqual(commands('until ping -c1 db; do sleep 1; done'), ['ping -c1 db', 'sleep 1']);
  });

  it('reads for loops, case items and function definitions as the commands they run', () => {
    assert.deepEqual(commands('for i in 1 2 3; do echo $i; done'), ['echo $i']);
    assert.deepEqual(
      commands(
        'case "$1" in\n  start|run) exec app ;;\n  (stop) kill -QUIT 1;;\n  *) echo no\nesac; done_',
      ),
      ['exec app', 'kill -QUIT 1', 'echo no', 'done_'],
    );
    assert.deepEqual(commands('reload() { kill -HUP 1; }; function stop { kill 1; }; reload'), [
      'kill -HUP 1',
      'kill 1',
      'reload',
    ]);
  });

  it('removes quotes and escapes, and never splits inside them', () => {
    assert.deepEqual(commands(`echo 'a; b' "c && d" e\\;f "x\\"y" $'t\\tu'`), [
      'echo a; b c && d e;f x"y t\tu',
    ]);
    assert.deepEqual(commands("nginx -g 'daemon off;'"), ['nginx -g daemon off;']);
  });

  it('skips comments, here-document bodies and redirections', () => {
    assert.deepEqual(commands('a # kill -HUP 1\nb#c'), ['a', 'b#c']);
    assert.deepEqual(commands('cat <<EOF >/tmp/x\nkill -HUP 1\nEOF\nnext 2>&1 </dev/null'), [
      'cat',
      'next',
    ]);
    assert.deepEqual(commands('cat <<-"END"\n\tkill 1\n\tEND\nnext'), ['cat', 'next']);
    const [cat] = simpleCommands('cat <<EOF >x\n  a=1\n\nb\nEOF\n');
    assert.deepEqual(
      cat.hereDocumentLines.map((line) => line.value),
      ['a=1', 'b'],
    );
  });

  it('finds the commands of $(…) and backquotes, and keeps the substitution in its word', () => {
    assert.deepEqual(commands('echo "pid $(cat /run/pid; kill -0 1)" `kill -HUP 1`'), [
      'cat /run/pid',
      'kill -0 1',
      'kill -HUP 1',
      'echo pid $(cat /run/pid; kill -0 1) `kill -HUP 1`',
    ]);
    assert.deepEqual(commands('echo ${A:-b} $((1 + 2)) $HOME'), ['echo ${A:-b} $((1 + 2)) $HOME']);
  });

  it('splits on && inside $(…), so the substitution runs to its own end', () => {
    assert.deepEqual(commands('echo "$(true && kill 1)" done'), [
      'true',
      'kill 1',
      'echo $(true && kill 1) done',
    ]);
  });

  it('keeps NAME=value prefixes apart from the words', () => {
    const [command] = simpleCommands('A=1 B="2 3" exec app C=4');
    assert.deepEqual(
      command.assignments.map((word) => word.value),
      ['A=1', 'B=2 3'],
    );
    assert.deepEqual(
      command.words.map((word) => word.value),
      ['exec', 'app', 'C=4'],
    );
  });

  it('records where every character of a word was written', () => {
    const script = `say 'it is' "a\\"b"`;
    const [command] = simpleCommands(script);
    const [, quoted, escaped] = command.words;
    assert.equal(script.slice(quoted.start, quoted.end), "'it is'");
    assert.equal(script[wordOffset(quoted, 0)], 'i');
    assert.equal(script[wordOffset(escaped, 1)], '"');
    assert.equal(wordOffset(escaped, 1), script.indexOf('\\"') + 1);
  });

  it('counts offsets in UTF-16 units past characters outside the BMP', () => {
    const script = `echo 😀x'y' && kill -HUP 1`;
    const [echo, kill] = simpleCommands(script);
    assert.equal(echo.words[1].value, '😀xy');
    assert.equal(script[wordOffset(echo.words[1], 3)], 'y');
    assert.equal(script.slice(kill.words[0].start, kill.words[2].end), 'kill -HUP 1');
  });

  it('survives unterminated quotes, substitutions and deep nesting', () => {
    assert.deepEqual(commands("echo 'open"), ['echo open']);
    assert.deepEqual(commands('echo "open $(kill 1'), ['kill 1', 'echo open $(kill 1']);
    assert.doesNotThrow(() => simpleCommands('$('.repeat(20_000)));
    assert.doesNotThrow(() => simpleCommands('`'.repeat(20_001)));
  });

  it('places every character of every word inside the word, for any text', () => {
    const pieces = [
      ' ',
      '\t',
      '\n',
      ';',
      '&',
      '|',
      '(',
      ')',
      '<',
      '>',
      "'",
      '"',
      '\\',
      '$',
      '`',
      '#',
      '{',
      '}',
      'do ',
      'kill',
      '-HUP',
      '1',
      'a=b',
      '<<E\n',
      'E\n',
      '😀',
      'x',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 80 }), (parts) => {
        const script = parts.join('');
        for (const command of simpleCommands(script)) {
          for (const word of [
            ...command.assignments,
            ...command.words,
            ...command.hereDocumentLines,
          ]) {
            assert.ok(0 <= word.start && word.start <= word.end && word.end <= script.length);
            for (let index = 0; index < word.value.length; index++) {
              const offset = wordOffset(word, index);
              assert.ok(word.start <= offset && offset < word.end, `${script} ${word.value}`);
            }
            if (!word.offsets) {
              assert.equal(word.value, script.slice(word.start, word.start + word.value.length));
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads 150,000 commands on one line without a call stack error', () => {
    const found = simpleCommands('kill -HUP 1;'.repeat(150_000));
    assert.equal(found.length, 150_000);
    assert.equal(found[149_999].words[2].start, 150_000 * 12 - 2);
  });
});
