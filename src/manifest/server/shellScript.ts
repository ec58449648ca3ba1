/**
 * A POSIX shell tokenizer and command splitter, enough to find every simple command of a script
 * as a shell would run it: quotes and escapes removed, operators and reserved words
 * (`if … then`, `while … do`, `case … esac`, `!`, `{`, subshells) understood, comments and
 * here-document bodies skipped, redirections dropped, and the commands inside `$(…)` and
 * backquotes found too. It does not expand anything: `$VAR` stays as written.
 *
 * One pass over the text, no backtracking: a script of any length costs linear time.
 */

/** One word after quote removal. Offsets are into the script. */
export interface ShellWord {
  readonly value: string;
  /** Offset of the word's first source character. */
  readonly start: number;
  /** Offset just past the word's last source character. */
  readonly end: number;
  /** Where each character of `value` was written, when the word had quotes or escapes. */
  readonly offsets?: readonly number[];
  /** Any part of the word was quoted or escaped: it is then never a reserved word. */
  readonly quoted: boolean;
}

/** A simple command: its `NAME=value` prefixes and its words (program first). */
export interface SimpleCommand {
  readonly assignments: readonly ShellWord[];
  readonly words: readonly ShellWord[];
  /**
   * The lines of its here-documents (leading blanks left out): data, not commands, but written
   * in the script all the same.
   */
  readonly hereDocumentLines: readonly ShellWord[];
}

/** Where the script offset of `word.value[index]` is. */
export function wordOffset(word: ShellWord, index: number): number {
  if (word.offsets) {
    return word.offsets[Math.min(index, word.offsets.length - 1)] ?? word.start;
  }
  return word.start + index;
}

/** Every simple command of the script, in source order of their ends. */
export function simpleCommands(script: string): SimpleCommand[] {
  const parser = new Parser(script);
  parser.parseList(0);
  return parser.commands;
}

/** Reserved words after which a new command starts. */
const COMMAND_PREFIXES = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{']);
/** Reserved words that end a compound command: they stand where a command would. */
const COMPOUND_ENDS = new Set(['fi', 'done', '}']);
const SEPARATORS = new Set([';', '&', '&&', '||', '|', '|&', '\n']);
const CASE_ITEM_ENDS = new Set([';;', ';&', ';;&']);
const REDIRECTIONS = [
  '<<<',
  '<<-',
  '&>>',
  '<<',
  '>>',
  '<&',
  '>&',
  '<>',
  '>|',
  '&>',
  '<',
  '>',
] as const;
const OPERATORS = [';;&', ';;', ';&', '&&', '||', '|&', ';', '&', '|', '(', ')'] as const;
const OPERATOR_CHARS = new Set(['<', '>', '&', ';', '|', '(', ')']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
/** Deeper `$(…)` nesting than this is read as text: it bounds the parser's recursion. */
const MAX_DEPTH = 64;

type Token =
  | { readonly type: 'word'; readonly word: ShellWord }
  | { readonly type: 'operator'; readonly operator: string }
  | { readonly type: 'redirection'; readonly operator: string }
  | { readonly type: 'end' };

interface HereDocument {
  readonly delimiter: string;
  readonly stripTabs: boolean;
}

/**
 * A word being read. While its characters are where they stand in the script it is only a
 * count; the first quote or escape turns it into characters with their offsets.
 */
class WordBuilder {
  private length = 0;
  private chars: string[] | undefined;
  private offsets: number[] | undefined;
  quoted = false;

  constructor(
    private readonly script: string,
    readonly start: number,
  ) {}

  /** A character written where it stands. */
  plain(offset: number): void {
    this.add(this.script[offset], offset);
  }

  add(char: string, offset: number): void {
    if (!this.chars) {
      if (offset === this.start + this.length) {
        this.length++;
        return;
      }
      // UTF-16 units, as offsets count them (not code points, as spreading the string would).
      this.chars = this.script.slice(this.start, this.start + this.length).split('');
      this.offsets = this.chars.map((_, index) => this.start + index);
    }
    this.chars.push(char);
    this.offsets?.push(offset);
  }

  build(end: number): ShellWord {
    if (!this.chars) {
      const value = this.script.slice(this.start, this.start + this.length);
      return { value, start: this.start, end, quoted: this.quoted };
    }
    return {
      value: this.chars.join(''),
      start: this.start,
      end,
      offsets: this.offsets,
      quoted: this.quoted,
    };
  }
}

class Parser {
  readonly commands: SimpleCommand[] = [];
  private pos = 0;
  private readonly hereDocuments: HereDocument[] = [];
  /** Body lines of the here-documents read since the current command began. */
  private readonly hereDocumentLines: ShellWord[] = [];
  private peeked: Token | undefined;

  /** `limit` ends the text early: a backquoted substitution is read in place, up to its end. */
  constructor(
    private readonly script: string,
    private readonly limit = script.length,
  ) {}

  /**
   * Reads commands until the end, or until the `)` that closes a command substitution at
   * `depth` > 0. Compound commands are read as the commands they contain.
   */
  parseList(depth: number): void {
    let assignments: ShellWord[] = [];
    let words: ShellWord[] = [];
    /** `case` items: 'pattern' while reading `a|b)`, 'body' while reading their commands. */
    const cases: ('word' | 'in' | 'pattern' | 'body')[] = [];
    let skipUntilSeparator = false;
    let skipName = false;
    let parens = 0;
    const finish = () => {
      const hereDocumentLines = this.hereDocumentLines.splice(0);
      if (words.length > 0 || assignments.length > 0) {
        this.commands.push({ assignments, words, hereDocumentLines });
      }
      assignments = [];
      words = [];
    };
    for (;;) {
      const token = this.next(depth);
      if (token.type === 'end') {
        finish();
        return;
      }
      const caseState = cases[cases.length - 1];
      if (token.type === 'redirection') {
        const target = this.next(depth);
        if (target.type === 'word' && token.operator.startsWith('<<') && token.operator !== '<<<') {
          this.hereDocuments.push({
            delimiter: target.word.value,
            stripTabs: token.operator === '<<-',
          });
        } else if (target.type !== 'word') {
          this.peeked = target;
        }
        continue;
      }
      if (token.type === 'operator') {
        const { operator } = token;
        if (caseState === 'pattern') {
          if (operator === ')') {
            cases[cases.length - 1] = 'body';
          }
          continue;
        }
        if (caseState === 'in' && operator === '\n') {
          continue;
        }
        if (SEPARATORS.has(operator)) {
          finish();
          skipUntilSeparator = false;
          continue;
        }
        if (CASE_ITEM_ENDS.has(operator)) {
          finish();
          if (caseState === 'body') {
            cases[cases.length - 1] = 'pattern';
          }
          continue;
        }
        if (operator === '(') {
          // `name() { …; }` defines a function: the name is not a command.
          if (words.length === 1 && assignments.length === 0) {
            const close = this.next(depth);
            if (close.type === 'operator' && close.operator === ')') {
              words = [];
              continue;
            }
            this.peeked = close;
          }
          finish();
          parens++;
          continue;
        }
        // ')'
        finish();
        if (parens === 0 && depth > 0) {
          return;
        }
        parens = Math.max(0, parens - 1);
        continue;
      }
      const { word } = token;
      if (skipName) {
        skipName = false;
        continue;
      }
      if (skipUntilSeparator) {
        if (!word.quoted && word.value === 'do') {
          skipUntilSeparator = false;
        }
        continue;
      }
      if (caseState === 'word') {
        cases[cases.length - 1] = 'in';
        continue;
      }
      if (caseState === 'in') {
        cases[cases.length - 1] = 'pattern';
        continue;
      }
      if (caseState === 'pattern') {
        if (!word.quoted && word.value === 'esac') {
          cases.pop();
        }
        continue;
      }
      const atCommandStart = words.length === 0;
      if (atCommandStart && assignments.length === 0 && !word.quoted) {
        if (COMMAND_PREFIXES.has(word.value) || COMPOUND_ENDS.has(word.value)) {
          continue;
        }
        if (word.value === 'esac' && caseState === 'body') {
          cases.pop();
          continue;
        }
        if (word.value === 'case') {
          cases.push('word');
          continue;
        }
        if (word.value === 'for' || word.value === 'select') {
          // `for NAME in words` holds no command.
          skipUntilSeparator = true;
          continue;
        }
        if (word.value === 'function') {
          skipName = true;
          continue;
        }
      }
      // `B="2 3"` is an assignment too: only the name and `=` must be unquoted.
      if (atCommandStart && ASSIGNMENT.test(this.script.slice(word.start, word.end))) {
        assignments.push(word);
        continue;
      }
      words.push(word);
    }
  }

  /** The offset of `char` from `from` on, before the limit; -1 when there is none. */
  private find(char: string, from: number): number {
    if (this.limit === this.script.length) {
      return this.script.indexOf(char, from);
    }
    // Inside backquotes: never search past their end, or nested ones would cost quadratic time.
    for (let offset = from; offset < this.limit; offset++) {
      if (this.script[offset] === char) {
        return offset;
      }
    }
    return -1;
  }

  private next(depth: number): Token {
    if (this.peeked) {
      const token = this.peeked;
      this.peeked = undefined;
      return token;
    }
    const { script } = this;
    for (;;) {
      while (this.pos < this.limit && (script[this.pos] === ' ' || script[this.pos] === '\t')) {
        this.pos++;
      }
      if (script[this.pos] === '\\' && script[this.pos + 1] === '\n') {
        this.pos += 2;
        continue;
      }
      if (script[this.pos] === '\r' && script[this.pos + 1] === '\n') {
        this.pos++;
      }
      if (script[this.pos] === '#') {
        const newline = this.find('\n', this.pos);
        this.pos = newline === -1 ? this.limit : newline;
      }
      break;
    }
    if (this.pos >= this.limit) {
      return { type: 'end' };
    }
    if (script[this.pos] === '\n') {
      this.pos++;
      this.skipHereDocuments();
      return { type: 'operator', operator: '\n' };
    }
    if (OPERATOR_CHARS.has(script[this.pos])) {
      for (const operator of REDIRECTIONS) {
        if (script.startsWith(operator, this.pos)) {
          this.pos += operator.length;
          return { type: 'redirection', operator };
        }
      }
      for (const operator of OPERATORS) {
        if (script.startsWith(operator, this.pos)) {
          this.pos += operator.length;
          return { type: 'operator', operator };
        }
      }
    }
    const word = this.readWord(depth);
    // `2>file`: digits right before a redirection name a file descriptor, not a word.
    if (!word.quoted && /^\d+$/.test(word.value) && /[<>]/.test(script[this.pos] ?? '')) {
      return this.next(depth);
    }
    return { type: 'word', word };
  }

  /**
   * Reads past the bodies of the here-documents whose operators were on the line just ended,
   * keeping their lines for the command they belong to.
   */
  private skipHereDocuments(): void {
    const { script } = this;
    for (const document of this.hereDocuments.splice(0)) {
      while (this.pos < this.limit) {
        const newline = this.find('\n', this.pos);
        const lineEnd = newline === -1 ? this.limit : newline;
        let line = script.slice(this.pos, lineEnd).replace(/\r$/, '');
        if (document.stripTabs) {
          line = line.replace(/^\t+/, '');
        }
        const lineStart = this.pos;
        this.pos = newline === -1 ? this.limit : newline + 1;
        if (line === document.delimiter) {
          break;
        }
        const indent = /^[ \t]*/.exec(script.slice(lineStart, lineEnd))?.[0].length ?? 0;
        const value = script.slice(lineStart + indent, lineEnd).replace(/\r$/, '');
        if (value !== '') {
          this.hereDocumentLines.push({
            value,
            start: lineStart + indent,
            end: lineStart + indent + value.length,
            quoted: true,
          });
        }
      }
    }
  }

  private readWord(depth: number): ShellWord {
    const { script } = this;
    const word = new WordBuilder(script, this.pos);
    while (this.pos < this.limit) {
      const char = script[this.pos];
      if (
        char === ' ' ||
        char === '\t' ||
        char === '\n' ||
        OPERATOR_CHARS.has(char) ||
        (char === '\r' && script[this.pos + 1] === '\n')
      ) {
        break;
      }
      if (char === '\\') {
        if (script[this.pos + 1] === '\n') {
          this.pos += 2;
        } else if (this.pos + 1 < this.limit) {
          word.quoted = true;
          word.add(script[this.pos + 1], this.pos + 1);
          this.pos += 2;
        } else {
          word.plain(this.pos++);
        }
      } else if (char === "'") {
        word.quoted = true;
        const close = this.find("'", this.pos + 1);
        const end = close === -1 ? this.limit : close;
        for (let offset = this.pos + 1; offset < end; offset++) {
          word.add(script[offset], offset);
        }
        this.pos = close === -1 ? end : end + 1;
      } else if (char === '"') {
        word.quoted = true;
        this.readDoubleQuoted(word, depth);
      } else if (char === '$' && script[this.pos + 1] === "'") {
        word.quoted = true;
        this.readAnsiC(word);
      } else if (char === '$' || char === '`') {
        this.readExpansion(word, depth);
      } else {
        word.plain(this.pos++);
      }
    }
    return word.build(this.pos);
  }

  private readDoubleQuoted(word: WordBuilder, depth: number): void {
    const { script } = this;
    this.pos++;
    while (this.pos < this.limit && script[this.pos] !== '"') {
      const char = script[this.pos];
      if (char === '\\') {
        const next = script[this.pos + 1];
        if (next === '\n') {
          this.pos += 2;
        } else if (next === '$' || next === '`' || next === '"' || next === '\\') {
          word.add(next, this.pos + 1);
          this.pos += 2;
        } else {
          word.plain(this.pos++);
        }
      } else if (char === '$' || char === '`') {
        this.readExpansion(word, depth);
      } else {
        word.plain(this.pos++);
      }
    }
    this.pos = Math.min(this.pos + 1, this.limit);
  }

  /** bash's `$'…'`: backslash escapes decoded, the rest literal. */
  private readAnsiC(word: WordBuilder): void {
    const { script } = this;
    const escapes: Readonly<Record<string, string>> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      "'": "'",
      '"': '"',
    };
    this.pos += 2;
    while (this.pos < this.limit && script[this.pos] !== "'") {
      const next = script[this.pos + 1];
      if (script[this.pos] === '\\' && next !== undefined) {
        word.add(escapes[next] ?? next, this.pos);
        this.pos += 2;
      } else {
        word.plain(this.pos++);
      }
    }
    this.pos = Math.min(this.pos + 1, this.limit);
  }

  /**
   * `$NAME`, `${…}`, `$((…))`, `$(…)` and `` `…` `` stay in the word as written; the commands of
   * a substitution are read as commands too.
   */
  private readExpansion(word: WordBuilder, depth: number): void {
    const { script } = this;
    const start = this.pos;
    if (script[start] === '`') {
      let close = start + 1;
      while (close < this.limit && script[close] !== '`') {
        close += script[close] === '\\' ? 2 : 1;
      }
      close = Math.min(close, this.limit);
      if (depth < MAX_DEPTH) {
        const inner = new Parser(script, close);
        inner.pos = start + 1;
        inner.parseList(depth + 1);
        for (const command of inner.commands) {
          this.commands.push(command);
        }
      }
      this.pos = Math.min(close + 1, this.limit);
    } else if (script.startsWith('$((', start)) {
      this.pos = matchingClose(script, start + 1, this.limit, '(', ')');
    } else if (script.startsWith('${', start)) {
      this.pos = matchingClose(script, start + 1, this.limit, '{', '}');
    } else if (script.startsWith('$(', start) && depth < MAX_DEPTH) {
      this.pos = start + 2;
      this.parseList(depth + 1);
    } else if (script.startsWith('$(', start)) {
      this.pos = matchingClose(script, start + 1, this.limit, '(', ')');
    } else {
      this.pos = start + 1;
      while (this.pos < this.limit && /[A-Za-z0-9_]/.test(script[this.pos])) {
        this.pos++;
      }
      if (this.pos === start + 1 && /[@*#?$!0-9-]/.test(script[this.pos] ?? '')) {
        this.pos++;
      }
    }
    for (let offset = start; offset < this.pos; offset++) {
      word.add(script[offset], offset);
    }
  }
}

/** Past the bracket that closes the one at `open`, counting nesting; the end when unclosed. */
function matchingClose(
  script: string,
  open: number,
  limit: number,
  opening: string,
  closing: string,
): number {
  let depth = 0;
  for (let offset = open; offset < limit; offset++) {
    const char = script[offset];
    if (char === '\\') {
      offset++;
    } else if (char === opening) {
      depth++;
    } else if (char === closing && --depth === 0) {
      return offset + 1;
    }
  }
  return limit;
}
