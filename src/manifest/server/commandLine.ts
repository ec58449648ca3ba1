import { isMap, isScalar, type Scalar, type YAMLSeq } from 'yaml';
import type { ContainerView } from './manifestModel';
import { mapValue, seqValue, stringValue, type TextSpan } from './yamlNodes';

/** One argv word and where it is written. */
export interface Word {
  readonly value: string;
  readonly span: TextSpan;
}

/** One simple command a container runs: `kill -HUP 1`, `/sbin/init`, `tini -- app`. */
export interface Invocation {
  readonly words: readonly Word[];
  /** Where the source of the argv list is: `command`, `args`, a hook or a probe. */
  readonly origin: 'main' | 'hook' | 'probe';
  /** The `command` sequence and the index of the first word, when the words are argv items. */
  readonly argv?: { readonly seq: YAMLSeq; readonly firstIndex: number };
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);
const HOOKS = ['postStart', 'preStop'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every simple command of a container: its main argv, its hooks and its exec probes. */
export function invocationsOf(text: string, container: ContainerView): Invocation[] {
  const invocations: Invocation[] = [];
  const command = seqValue(container.map, 'command');
  const args = seqValue(container.map, 'args');
  // Without `command` the image's entrypoint receives `args`; entrypoint scripts usually exec them.
  const main = [...argvWords(text, command), ...argvWords(text, args)];
  invocations.push(...split(text, main, 'main', command));
  const lifecycle = mapValue(container.map, 'lifecycle');
  for (const hook of HOOKS) {
    const exec = seqValue(mapValue(mapValue(lifecycle, hook), 'exec'), 'command');
    invocations.push(...split(text, argvWords(text, exec), 'hook', exec));
  }
  for (const probe of PROBES) {
    const exec = seqValue(mapValue(mapValue(container.map, probe), 'exec'), 'command');
    invocations.push(...split(text, argvWords(text, exec), 'probe', exec));
  }
  return invocations;
}

interface ArgvWord extends Word {
  readonly node: Scalar;
}

function argvWords(text: string, seq: YAMLSeq | undefined): ArgvWord[] {
  const words: ArgvWord[] = [];
  for (const item of seq?.items ?? []) {
    const value = isScalar(item) ? item.value : undefined;
    // Numbers and booleans are argv words too (`kill -9 1` written as a YAML list).
    if (
      isScalar(item) &&
      item.range &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    ) {
      words.push({
        value: typeof value === 'string' ? value : text.slice(item.range[0], item.range[1]),
        span: { start: item.range[0], end: item.range[1] },
        node: item,
      });
    }
  }
  return words;
}

/** An argv list is either a program with arguments or a shell running a script (`sh -c '…'`). */
function split(
  text: string,
  words: readonly ArgvWord[],
  origin: Invocation['origin'],
  seq: YAMLSeq | undefined,
): Invocation[] {
  if (words.length === 0) {
    return [];
  }
  if (SHELLS.has(basename(words[0].value))) {
    const flag = words.findIndex((word, index) => index > 0 && /^-[a-z]*c[a-z]*$/.test(word.value));
    const script = flag > 0 ? words[flag + 1] : undefined;
    if (script) {
      return scriptInvocations(text, script).map((invocation) => ({ words: invocation, origin }));
    }
  }
  const firstIndex = seq ? seq.items.indexOf(words[0].node) : -1;
  return [{ words, origin, ...(seq && firstIndex >= 0 ? { argv: { seq, firstIndex } } : {}) }];
}

const COMMAND_SEPARATOR = /\|\||&&|[;&|\n()`]|\$\(/;

/**
 * Splits a shell script into simple commands and words. Not a shell parser: quotes are
 * honoured within a word, and the words' spans point into the source when the script is
 * written there verbatim (plain, single-quoted and block scalars usually are).
 */
function scriptInvocations(text: string, script: ArgvWord): Word[][] {
  const source = text.slice(script.span.start, script.span.end);
  const commands: Word[][] = [];
  let searchFrom = 0;
  for (const part of script.value.split(new RegExp(COMMAND_SEPARATOR, 'g'))) {
    const words: Word[] = [];
    for (const match of part.matchAll(/(?:[^\s'"]+|'[^']*'|"(?:[^"\\]|\\.)*")+/g)) {
      const raw = match[0];
      const found = source.indexOf(raw, searchFrom);
      let span = script.span;
      if (found >= 0) {
        searchFrom = found + raw.length;
        span = { start: script.span.start + found, end: script.span.start + found + raw.length };
      }
      words.push({ value: raw.replace(/'([^']*)'|"((?:[^"\\]|\\.)*)"/g, '$1$2'), span });
    }
    const program = words.findIndex((word) => !/^\w+=/.test(word.value) && word.value !== 'exec');
    if (program >= 0) {
      commands.push(words.slice(program));
    }
  }
  return commands;
}

/** Skips launchers that exec their argument (`tini --`, `dumb-init`, `env`) to the real program. */
export function launchedProgram(words: readonly Word[]): number {
  let index = 0;
  while (index < words.length) {
    const name = basename(words[index].value);
    if (name.startsWith('tini') || name === 'dumb-init' || name === 'catatonit') {
      index = afterOptions(
        words,
        index + 1,
        name === 'dumb-init' ? ['-r', '--rewrite'] : ['-p', '-e'],
      );
    } else if (name === 'env') {
      index++;
      while (index < words.length && /^-|^\w+=/.test(words[index].value)) {
        index++;
      }
    } else {
      return index;
    }
  }
  return index;
}

function afterOptions(
  words: readonly Word[],
  start: number,
  withArgument: readonly string[],
): number {
  let index = start;
  while (index < words.length && words[index].value.startsWith('-')) {
    if (words[index].value === '--') {
      return index + 1;
    }
    index += withArgument.includes(words[index].value) ? 2 : 1;
  }
  return index;
}

/** The options a tini invocation is given before its program. */
export function tiniOptions(words: readonly Word[]): string[] {
  const end = afterOptions(words, 1, ['-p', '-e']);
  return words.slice(1, end).map((word) => word.value);
}

const SIGNAL_NUMBERS: Readonly<Record<string, string>> = {
  '1': 'HUP',
  '2': 'INT',
  '3': 'QUIT',
  '9': 'KILL',
  '10': 'USR1',
  '12': 'USR2',
  '15': 'TERM',
};

/** For `kill [-SIG | -s SIG | -n NUM] pid…`: the signal name when PID 1 is among the targets. */
export function killOfPid1(words: readonly Word[]): { signal: string; span: TextSpan } | undefined {
  const programIndex = launchedProgram(words);
  let index = programIndex;
  if (basename(words[index]?.value ?? '') === 'busybox') {
    index++;
  }
  if (basename(words[index]?.value ?? '') !== 'kill') {
    return undefined;
  }
  let signal = 'TERM';
  index++;
  while (index < words.length && words[index].value.startsWith('-')) {
    const option = words[index].value;
    if (option === '--') {
      index++;
      break;
    }
    if (option === '-s' || option === '-n' || option === '--signal') {
      signal = words[index + 1]?.value ?? signal;
      index += 2;
    } else if (option === '-l' || option === '-L') {
      return undefined;
    } else {
      signal = option.slice(1);
      index++;
    }
  }
  const target = words.slice(index).find((word) => word.value === '1');
  if (!target) {
    return undefined;
  }
  const name = signal.toUpperCase().replace(/^SIG/, '');
  // Signal 0 only tests that the process exists.
  if (name === '0') {
    return undefined;
  }
  const last = words[words.length - 1];
  return {
    signal: SIGNAL_NUMBERS[name] ?? name,
    span: { start: Math.min(words[programIndex].span.start, last.span.start), end: last.span.end },
  };
}

/** Whether a container sets the environment variable `name` in its `env` list. */
export function hasEnv(container: ContainerView, name: string): boolean {
  return (seqValue(container.map, 'env')?.items ?? []).some(
    (item) => isMap(item) && stringValue(item, 'name') === name,
  );
}
