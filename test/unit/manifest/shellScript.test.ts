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

describe('shell script tokenizer, in detail', () => {
  it('drops every kind of redirection with its target, and file descriptor numbers', () => {
    assert.deepEqual(commands('a >out 2>>log <in 3<>rw 4>|f 5<&0 >&2 &>all &>>more b'), ['a b']);
    assert.deepEqual(commands('a 2>err 10>x "2">y'), ['a 2']);
    assert.deepEqual(commands('cat <<<"kill 1" && b'), ['cat', 'b']);
    assert.deepEqual(commands('a >'), ['a']);
    assert.deepEqual(commands('a > ; b'), ['a', 'b']);
  });

  it('reads here-documents: delimiters, tab stripping, CRLF lines and several on one line', () => {
    const [cat, next] = simpleCommands('cat <<-EOF\n\t\tone\n\t  two\r\n\tEOF\nnext\n');
    assert.deepEqual(
      cat.hereDocumentLines.map((line) => line.value),
      ['one', 'two'],
    );
    assert.deepEqual(
      next.words.map((word) => word.value),
      ['next'],
    );
    const [both] = simpleCommands('cat <<A <<B\na1\nA\nb1\nB\n');
    assert.deepEqual(
      both.hereDocumentLines.map((line) => line.value),
      ['a1', 'b1'],
    );
    const script = 'cat <<EOF\n   indented line\nEOF';
    const [indented] = simpleCommands(script);
    const [line] = indented.hereDocumentLines;
    assert.equal(script.slice(line.start, line.end), 'indented line');
    assert.equal(line.quoted, true);
    assert.deepEqual(commands('cat <<EOF\nkill 1\nEOF\r\nafter'), ['cat', 'after']);
    assert.deepEqual(commands('cat <<EOF\nnever closed\nkill 1'), ['cat']);
  });

  it('joins lines after a backslash and reads CRLF scripts as LF ones', () => {
    assert.deepEqual(commands('kill \\\n  -HUP 1'), ['kill -HUP 1']);
    assert.deepEqual(commands('a\r\nb\r\n'), ['a', 'b']);
    assert.deepEqual(commands('ki\\\nll 1'), ['kill 1']);
    assert.deepEqual(commands('a x\\'), ['a x\\']);
    assert.deepEqual(commands('echo "a\\\nb"'), ['echo ab']);
    assert.deepEqual(commands('a\r b'), ['a\r b']);
  });

  it("decodes the escapes of $'…' and of double quotes as bash does", () => {
    assert.deepEqual(commands("printf $'a\\nb\\tc\\rd\\\\e\\'f\\\"g\\qh'"), [
      'printf a\nb\tc\rd\\e\'f"gqh',
    ]);
    assert.deepEqual(commands('echo "\\$HOME \\`x\\` \\" \\\\ \\n"'), ['echo $HOME `x` " \\ \\n']);
    assert.deepEqual(commands("echo $'open"), ['echo open']);
    assert.deepEqual(commands('echo "a"b\'c\'d'), ['echo abcd']);
  });

  it('keeps parameters and arithmetic in their word, nested brackets included', () => {
    assert.deepEqual(commands('echo $1 $@ $* $# $? $$ $! $- $0x $ end'), [
      'echo $1 $@ $* $# $? $$ $! $- $0x $ end',
    ]);
    assert.deepEqual(commands('echo ${A:-${B}} $((1 + (2 * 3))) ${C/\\}/x}; next'), [
      'echo ${A:-${B}} $((1 + (2 * 3))) ${C/\\}/x}',
      'next',
    ]);
    assert.deepEqual(commands('echo ${open'), ['echo ${open']);
    assert.deepEqual(commands('echo $NAME_1;x'), ['echo $NAME_1', 'x']);
  });

  it('reads commands in backquotes, escapes and an unclosed one included', () => {
    assert.deepEqual(commands('a `b \\` c` d'), ['b ` c', 'a `b \\` c` d']);
    assert.deepEqual(commands('echo `kill 1; kill -HUP 1` done'), [
      'kill 1',
      'kill -HUP 1',
      'echo `kill 1; kill -HUP 1` done',
    ]);
    assert.deepEqual(commands('echo `kill 1'), ['kill 1', 'echo `kill 1']);
    assert.deepEqual(commands('echo "`kill 1`"'), ['kill 1', 'echo `kill 1`']);
  });

  it('reads case items of every end, with quoted and reserved words in patterns', () => {
    assert.deepEqual(commands('case $x in a) one ;& b) two ;;& "esac") three ;; esac; after'), [
      'one',
      'two',
      'three',
      'after',
    ]);
    assert.deepEqual(commands('case x in\n\n  a)\n    one\n    ;;\nesac'), ['one']);
    assert.deepEqual(commands('case x in a) one;; esac; esac_'), ['one', 'esac_']);
    assert.deepEqual(commands('echo case in esac'), ['echo case in esac']);
  });

  it('skips the header of for and select loops, and function names', () => {
    assert.deepEqual(commands('for f in a b\ndo kill $f; done'), ['kill $f']);
    assert.deepEqual(commands('select x in a "do"; do run $x; done'), ['run $x']);
    assert.deepEqual(commands('for x; do a; done'), ['a']);
    assert.deepEqual(commands('function reload { kill -HUP 1; }'), ['kill -HUP 1']);
    assert.deepEqual(commands('reload () { kill -HUP 1; }'), ['kill -HUP 1']);
    assert.deepEqual(commands('echo for do; function'), ['echo for do']);
    assert.deepEqual(commands('"if" x; "{" y'), ['if x', '{ y']);
    assert.deepEqual(commands('A=1 if x'), ['A=1 if x']);
  });

  it('starts a new command at a subshell and ends it at its close', () => {
    assert.deepEqual(commands('a (b) c'), ['a', 'b', 'c']);
    assert.deepEqual(commands('a b (c)'), ['a b', 'c']);
    assert.deepEqual(commands('f ( x )'), ['f', 'x']);
    assert.deepEqual(commands('(a) )b'), ['a', 'b']);
    assert.deepEqual(commands('echo $( (a) ; b ) c'), ['a', 'b', 'echo $( (a) ; b ) c']);
  });

  it('takes NAME=value and NAME+=value for assignments only before the program', () => {
    const [command] = simpleCommands('A+=1 _b=2 9c=3 run D=4');
    assert.deepEqual(
      command.assignments.map((word) => word.value),
      ['A+=1', '_b=2'],
    );
    assert.deepEqual(
      command.words.map((word) => word.value),
      ['9c=3', 'run', 'D=4'],
    );
    const [quoted] = simpleCommands('"A"=1 run');
    assert.deepEqual(
      quoted.words.map((word) => word.value),
      ['A=1', 'run'],
    );
    assert.deepEqual(simpleCommands('A=1; B=2').length, 2);
  });

  it('marks quoted words, and places plain ones without an offset table', () => {
    const [command] = simpleCommands("plain 'q' \\e $'x'");
    assert.deepEqual(
      command.words.map((word) => [word.value, word.quoted, word.offsets === undefined]),
      [
        ['plain', false, true],
        ['q', true, false],
        ['e', true, false],
        ['x', true, false],
      ],
    );
    const [plain] = command.words;
    assert.equal(wordOffset(plain, 2), 2);
    const [, quoted] = command.words;
    assert.equal(wordOffset(quoted, 5), quoted.offsets?.at(-1));
  });
});
