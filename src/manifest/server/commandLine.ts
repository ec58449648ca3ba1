import { isMap, isScalar, type Scalar, type YAMLSeq } from 'yaml';
import { isOpen } from './kubectlYaml';
import type { ContainerView } from './manifestModel';
import { simpleCommands, wordOffset, type ShellWord } from './shellScript';
import { mapValue, scalarOffsets, seqValue, stringValue, type TextSpan } from './yamlNodes';

/** One argv word and where it is written. */
export interface Word {
  readonly value: string;
  readonly span: TextSpan;
  /** Where `value[index]` is written in the document. */
  offsetOf(index: number): number;
}

/**
 * Where an argv list comes from: `command` (with its `args`), `args` alone (the image's
 * entrypoint receives them, so their first word need not be a program), a hook or a probe.
 */
type Origin = 'main' | 'args' | 'hook' | 'probe';

/** One simple command a container runs: `kill -HUP 1`, `/sbin/init`, `tini -- app`. */
export interface Invocation {
  /** The whole command, launchers (`exec`, `env X=1`, `tini --`, `busybox`) included. */
  readonly words: readonly Word[];
  /** `NAME=value` words before a command in a script. */
  readonly assignments: readonly Word[];
  /** The lines of the command's here-documents: data written in the script. */
  readonly hereDocumentLines: readonly Word[];
  readonly origin: Origin;
  /** Index in `words` of the program the launchers run; `words.length` when there is none. */
  readonly program: number;
  /** Found in a script (`sh -c`, `trap`, `eval`), not written as an argv list. */
  readonly inScript: boolean;
  /** Index of a word whose script was read as commands of its own. */
  readonly script?: number;
  /** The `command` sequence and the index of the first word, when the words are argv items. */
  readonly argv?: { readonly seq: YAMLSeq; readonly firstIndex: number };
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'yash']);
const HOOKS = ['postStart', 'preStop'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
/** `sh -c "sh -c '…'"` nested deeper than this is not read. */
const MAX_SCRIPT_DEPTH = 8;

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Read once per container map: several rule families ask for the same commands. */
const byContainer = new WeakMap<object, readonly Invocation[]>();

/** Every simple command of a container: its main argv, its hooks and its exec probes. */
export function invocationsOf(text: string, container: ContainerView): readonly Invocation[] {
  let invocations = byContainer.get(container.map);
  if (!invocations) {
    invocations = readInvocations(text, container);
    byContainer.set(container.map, invocations);
  }
  return invocations;
}

function readInvocations(text: string, container: ContainerView): Invocation[] {
  const invocations: Invocation[] = [];
  const command = seqValue(container.map, 'command');
  const args = seqValue(container.map, 'args');
  if (command) {
    // The words of `args` follow those of `command` on one argv.
    const words = argvWords(text, command);
    for (const word of argvWords(text, args)) {
      words.push(word);
    }
    expand(argvCommand(words), 'main', false, argvOf(command), invocations, 0);
  } else {
    expand(argvCommand(argvWords(text, args)), 'args', false, undefined, invocations, 0);
  }
  const lifecycle = mapValue(container.map, 'lifecycle');
  for (const hook of HOOKS) {
    const exec = seqValue(mapValue(mapValue(lifecycle, hook), 'exec'), 'command');
    expand(argvCommand(argvWords(text, exec)), 'hook', false, argvOf(exec), invocations, 0);
  }
  for (const probe of PROBES) {
    const exec = seqValue(mapValue(mapValue(container.map, probe), 'exec'), 'command');
    expand(argvCommand(argvWords(text, exec)), 'probe', false, argvOf(exec), invocations, 0);
  }
  return invocations;
}

function argvOf(seq: YAMLSeq | undefined): Invocation['argv'] {
  return seq && seq.items.length > 0 ? { seq, firstIndex: 0 } : undefined;
}

function argvWords(text: string, seq: YAMLSeq | undefined): Word[] {
  const words: Word[] = [];
  for (const item of seq?.items ?? []) {
    const value = isScalar(item) ? item.value : undefined;
    // Numbers and booleans are argv words too (`kill -9 1` written as a YAML list).
    if (
      isScalar(item) &&
      item.range &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    ) {
      words.push(new ScalarWord(text, item, typeof value === 'string' ? value : undefined));
    }
  }
  return words;
}

/** An argv item: a YAML scalar. */
class ScalarWord implements Word {
  readonly value: string;
  readonly span: TextSpan;
  private offsets: ((index: number) => number) | undefined;

  constructor(
    private readonly text: string,
    private readonly node: Scalar,
    value: string | undefined,
  ) {
    const [start, end] = node.range ?? [0, 0];
    this.value = value ?? text.slice(start, end);
    this.span = { start, end };
  }

  offsetOf(index: number): number {
    // Worked out only for the words a script is read from.
    this.offsets ??=
      typeof this.node.value === 'string'
        ? scalarOffsets(this.text, this.node)
        : (at) => this.span.start + at;
    return this.offsets(index);
  }
}

/** A word of the script held by `source`, placed in the document. */
class ScriptWord implements Word {
  readonly value: string;
  readonly span: TextSpan;

  constructor(
    private readonly source: Word,
    private readonly word: ShellWord,
  ) {
    this.value = word.value;
    this.span = { start: source.offsetOf(word.start), end: source.offsetOf(word.end - 1) + 1 };
  }

  offsetOf(index: number): number {
    return this.source.offsetOf(wordOffset(this.word, index));
  }
}

/** The words of one command, from an argv list or from a script. */
type CommandWords = Pick<Invocation, 'words' | 'assignments' | 'hereDocumentLines'>;

function argvCommand(words: readonly Word[]): CommandWords {
  return { words, assignments: [], hereDocumentLines: [] };
}

/** Records a command and, when it runs a script, the script's commands after it. */
function expand(
  command: CommandWords,
  origin: Origin,
  inScript: boolean,
  argv: Invocation['argv'],
  invocations: Invocation[],
  depth: number,
): void {
  const { words } = command;
  if (words.length === 0 && command.assignments.length === 0) {
    return;
  }
  const program = launchedProgram(words);
  const script = depth < MAX_SCRIPT_DEPTH ? scriptWord(words, program) : undefined;
  invocations.push({
    ...command,
    origin,
    program,
    inScript,
    ...(script === undefined ? {} : { script }),
    ...(argv ? { argv } : {}),
  });
  if (script === undefined) {
    return;
  }
  const source = words[script];
  const place = (word: ShellWord) => new ScriptWord(source, word);
  for (const inner of simpleCommands(source.value)) {
    const placed = {
      words: inner.words.map(place),
      assignments: inner.assignments.map(place),
      hereDocumentLines: inner.hereDocumentLines.map(place),
    };
    expand(placed, origin, true, undefined, invocations, depth + 1);
  }
}

/**
 * The index of the word that holds a script the program runs: `sh -c SCRIPT` (any shell, any
 * options before or after `-c`), `trap SCRIPT SIGNAL…`, `eval SCRIPT`, `su -c SCRIPT`.
 */
function scriptWord(words: readonly Word[], program: number): number | undefined {
  const name = basename(words[program]?.value ?? '');
  if (SHELLS.has(name)) {
    let index = program + 1;
    let command = false;
    while (index < words.length) {
      const option = words[index].value;
      if (option === '--' || option === '-') {
        index++;
        break;
      }
      if (option.startsWith('--')) {
        index += option === '--rcfile' || option === '--init-file' ? 2 : 1;
      } else if (/^[-+][A-Za-z]+$/.test(option)) {
        command ||= option.startsWith('-') && option.includes('c');
        index += option.includes('o') || option.includes('O') ? 2 : 1;
      } else {
        break;
      }
    }
    return command && index < words.length ? index : undefined;
  }
  if (name === 'trap') {
    const handler = words[program + 1]?.value;
    return handler !== undefined &&
      handler !== '-' &&
      !handler.startsWith('-') &&
      program + 2 < words.length
      ? program + 1
      : undefined;
  }
  if (name === 'eval') {
    return words.length === program + 2 ? program + 1 : undefined;
  }
  if (name === 'su' || name === 'runuser') {
    const flag = words.findIndex(
      (word, index) => index > program && (word.value === '-c' || word.value === '--command'),
    );
    return flag > 0 && flag + 1 < words.length ? flag + 1 : undefined;
  }
  return undefined;
}

/**
 * Programs that run the rest of their arguments as a command: the options that take a value
 * and how many operands come before the command.
 */
interface Launcher {
  readonly withValue: readonly string[];
  readonly operands?: number;
  /** `env` also takes NAME=value words before the command. */
  readonly assignments?: boolean;
  /** An option that means the command is only looked up, not run (`command -v`). */
  readonly noRun?: readonly string[];
}

const LAUNCHERS: Readonly<Record<string, Launcher>> = {
  exec: { withValue: ['-a'] },
  command: { withValue: [], noRun: ['-v', '-V'] },
  builtin: { withValue: [] },
  nohup: { withValue: [] },
  setsid: { withValue: [] },
  time: { withValue: ['-f', '-o', '--format', '--output'] },
  nice: { withValue: ['-n', '--adjustment'] },
  ionice: { withValue: ['-c', '-n', '--class', '--classdata'] },
  timeout: { withValue: ['-s', '-k', '--signal', '--kill-after'], operands: 1 },
  stdbuf: { withValue: ['-i', '-o', '-e'] },
  chroot: { withValue: ['--userspec', '--groups'], operands: 1 },
  'su-exec': { withValue: [], operands: 1 },
  gosu: { withValue: [], operands: 1 },
  's6-setuidgid': { withValue: [], operands: 1 },
  chpst: { withValue: ['-u', '-U', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p'] },
  doas: { withValue: ['-u', '-C'] },
  sudo: { withValue: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'] },
  env: { withValue: ['-u', '-C', '-S', '--unset', '--chdir'], assignments: true },
  'dumb-init': { withValue: ['-r', '--rewrite'] },
  catatonit: { withValue: [] },
  busybox: { withValue: [] },
};

function launcherOf(name: string): Launcher | undefined {
  // tini ships as tini, tini-static, tini-static-amd64…
  if (name.startsWith('tini')) {
    return { withValue: ['-p', '-e'] };
  }
  return Object.hasOwn(LAUNCHERS, name) ? LAUNCHERS[name] : undefined;
}

/** Skips launchers that exec their arguments (`exec`, `env X=1`, `tini -s --`) to the program. */
function launchedProgram(words: readonly Word[]): number {
  let index = 0;
  while (index < words.length) {
    const launcher = launcherOf(basename(words[index].value));
    if (!launcher) {
      return index;
    }
    index++;
    while (index < words.length && /^-./.test(words[index].value)) {
      const option = words[index].value;
      if (option === '--') {
        index++;
        break;
      }
      if (launcher.noRun?.includes(option)) {
        return words.length;
      }
      index += launcher.withValue.includes(option) ? 2 : 1;
    }
    while (launcher.assignments && index < words.length && /^\w+=/.test(words[index].value)) {
      index++;
    }
    index += launcher.operands ?? 0;
  }
  return Math.min(index, words.length);
}

/** The options a tini invocation is given before its program. */
export function tiniOptions(words: readonly Word[]): string[] {
  const options: string[] = [];
  for (let index = 1; index < words.length && words[index].value.startsWith('-'); index++) {
    const option = words[index].value;
    if (option === '--') {
      break;
    }
    options.push(option);
    if (option === '-p' || option === '-e') {
      index++;
    }
  }
  return options;
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
export function killOfPid1(invocation: Invocation): { signal: string; span: TextSpan } | undefined {
  const { words, program } = invocation;
  if (basename(words[program]?.value ?? '') !== 'kill') {
    return undefined;
  }
  let signal = 'TERM';
  let index = program + 1;
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
  let target: Word | undefined;
  for (let at = index; at < words.length && !target; at++) {
    target = words[at].value === '1' ? words[at] : undefined;
  }
  if (!target) {
    return undefined;
  }
  const name = signal.toUpperCase().replace(/^SIG/, '');
  // Signal 0 only tests that the process exists.
  if (name === '0') {
    return undefined;
  }
  const first = words[program];
  const last = words[words.length - 1];
  return {
    signal: SIGNAL_NUMBERS[name] ?? name,
    span: { start: Math.min(first.span.start, last.span.start), end: last.span.end },
  };
}

/**
 * Whether a container sets, or may set, the environment variable `name` in its `env` list (a
 * template action among the items may set anything).
 */
export function hasEnv(container: ContainerView, name: string): boolean {
  const env = seqValue(container.map, 'env');
  return (
    isOpen(env) ||
    isOpen(container.map) ||
    (env?.items ?? []).some((item) => isMap(item) && stringValue(item, 'name') === name)
  );
}
