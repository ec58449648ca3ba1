import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PodProcessExplorerApi } from '../../src/extension';
import type { PodTreeNode } from '../../src/tree/treeNodes';
import { kubectl, sandboxCli } from './sandboxControl';

const EXTENSION_ID = 'pod-process-explorer.pod-process-explorer';
const DEADLINE_MS = 30_000;
/** How often a command is typed again when the shell's redraw swallowed it (see typeUntil). */
const MAX_TYPING_ATTEMPTS = 20;

let tree: vscode.TreeDataProvider<PodTreeNode>;

/**
 * Evaluates `check` now and after each `event`, until it returns a value; fails at the deadline
 * with `what`. No sleeps: the terminal's output and the tree's changes drive it.
 */
function until<T>(
  what: string,
  event: vscode.Event<unknown>,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let last = '';
    const finish = (error: Error | undefined, value?: T) => {
      done = true;
      clearTimeout(deadline);
      listener.dispose();
      if (error) {
        reject(error);
      } else {
        resolve(value as T);
      }
    };
    const evaluate = async () => {
      try {
        const value = await check();
        if (value !== undefined && !done) {
          finish(undefined, value);
        }
      } catch (error) {
        last = String(error);
      }
    };
    const listener = event(() => void evaluate());
    const deadline = setTimeout(
      () => finish(new Error(`no ${what} within ${DEADLINE_MS} ms ${last}`)),
      DEADLINE_MS,
    );
    void evaluate();
  });
}

async function children(node?: PodTreeNode): Promise<PodTreeNode[]> {
  return (await tree.getChildren(node)) ?? [];
}

/** The tree node of a container of the sandbox's `nginx` pod, as a menu passes it. */
function containerNode(name: string): Promise<PodTreeNode> {
  const changed = tree.onDidChangeTreeData as vscode.Event<unknown>;
  return until(`container ${name} in the tree`, changed, async () => {
    const [context] = await children();
    const [namespace] = context ? await children(context) : [];
    const pod = namespace
      ? (await children(namespace)).find((node) => node.kind === 'pod' && node.name === 'nginx')
      : undefined;
    return pod
      ? (await children(pod)).find(
          (node) => node.kind === 'container' && node.container.name === name,
        )
      : undefined;
  });
}

/** What the terminal's Pseudoterminal writes, read through its public events. */
class Screen implements vscode.Disposable {
  text = '';
  readonly pty: vscode.Pseudoterminal;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;

  constructor(readonly terminal: vscode.Terminal) {
    this.pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
    this.subscription = this.pty.onDidWrite((data) => {
      this.text += data;
      this.changed.fire();
    });
  }

  waitFor(pattern: RegExp, from = 0): Promise<RegExpExecArray> {
    return until(
      `${String(pattern)} on ${this.terminal.name}: ${JSON.stringify(this.text)}`,
      this.changed.event,
      () => pattern.exec(this.text.slice(from)) ?? undefined,
    );
  }

  /**
   * Types `command` and waits for `answer` in what follows. A shell redraws its line when its
   * tty changes size (attaching sends a size), which can swallow what was typed meanwhile, and a
   * size reaches busybox a moment after it is sent: so the command is typed again whenever the
   * prompt is back without the answer.
   */
  typeUntil(command: string, answer: RegExp): Promise<RegExpExecArray> {
    let from = this.text.length;
    let attempts = 1;
    this.terminal.sendText(command);
    return until(
      `${String(answer)} after ${command} on ${this.terminal.name}: ${JSON.stringify(this.text)}`,
      this.changed.event,
      () => {
        const since = this.text.slice(from);
        const match = answer.exec(since);
        // eslint-disable-next-line no-control-regex -- a prompt may be followed by escape sequences
        if (!match && /[#$] (\x1b\[[0-9;]*[A-Za-z])*$/.test(since)) {
          assert.ok(attempts < MAX_TYPING_ATTEMPTS, `no ${String(answer)} after ${command}`);
          attempts += 1;
          from = this.text.length;
          this.terminal.sendText(command);
        }
        return match ?? undefined;
      },
    );
  }

  /** Closes the terminal as the user does, and waits until VS Code has closed it. */
  async close(): Promise<void> {
    const closed = until('closed terminal', vscode.window.onDidCloseTerminal, () =>
      vscode.window.terminals.includes(this.terminal) ? undefined : true,
    );
    this.terminal.dispose();
    await closed;
    this.dispose();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

async function openTerminal(
  command: 'attachTerminal' | 'openShell',
  container: string,
): Promise<Screen> {
  const node = await containerNode(container);
  const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>(
    `podProcessExplorer.${command}`,
    node,
  );
  assert.ok(terminal, `${command} returned a terminal`);
  assert.equal(terminal.name, `nginx/${container}`);
  return new Screen(terminal);
}

/** `ps` in the shell container, through kubectl: PID → command. */
async function processes(): Promise<Map<number, string>> {
  const output = await kubectl('exec', 'nginx', '-c', 'shell', '--', 'ps', '-o', 'pid,args');
  return new Map(
    output
      .split('\n')
      .slice(1)
      .flatMap((line) => {
        const match = /^\s*(\d+)\s+(.*)$/.exec(line);
        return match ? [[Number(match[1]), match[2]] as const] : [];
      }),
  );
}

/** Replaces a `vscode.window` message function for one test: notifications cannot be read. */
function captureMessages(name: 'showWarningMessage' | 'showErrorMessage'): {
  messages: string[][];
  restore: () => void;
} {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[name];
  const messages: string[][] = [];
  window[name] = (message: string, ...items: string[]) => {
    messages.push([message, ...items]);
    return Promise.resolve(undefined);
  };
  return { messages, restore: () => (window[name] = original) };
}

describe('terminals on the sandbox pod', function () {
  this.timeout(DEADLINE_MS * 4);
  const screens: Screen[] = [];

  before(async () => {
    const extension = vscode.extensions.getExtension<PodProcessExplorerApi>(EXTENSION_ID);
    assert.ok(extension);
    tree = (await extension.activate()).podTree as vscode.TreeDataProvider<PodTreeNode>;
  });

  afterEach(() => {
    for (const screen of screens.splice(0)) {
      screen.terminal.dispose();
      screen.dispose();
    }
  });

  async function open(command: 'attachTerminal' | 'openShell', container: string) {
    const screen = await openTerminal(command, container);
    screens.push(screen);
    return screen;
  }

  it('attaches to shell: ps ax shows nginx, the tty takes a new size, closing leaves the shell running', async () => {
    const screen = await open('attachTerminal', 'shell');
    await screen.typeUntil('ps ax', /nginx: master process/);
    const [, mainPid] = await screen.typeUntil('echo "main=$$"', /main=(\d+)/);

    screen.pty.setDimensions?.({ columns: 101, rows: 33 });
    await screen.typeUntil('stty size', /\r\n33 101\r\n/);
    screen.pty.setDimensions?.({ columns: 90, rows: 20 });
    await screen.typeUntil('stty size', /\r\n20 90\r\n/);

    await screen.close();
    // Attach does not own the container's main process: it is still there, and attachable.
    assert.match((await processes()).get(Number(mainPid)) ?? 'gone', /^sh/);
    const again = await open('attachTerminal', 'shell');
    await again.typeUntil(`echo "again=$$"`, new RegExp(`again=${mainPid}\\b`));
  });

  it('opens a shell in shell (sh: busybox has no bash), and closing the terminal ends it', async () => {
    const screen = await open('openShell', 'shell');
    const [, pid] = await screen.typeUntil('echo "pid=$$"', /pid=(\d+)/);
    assert.match((await processes()).get(Number(pid)) ?? 'gone', /^sh$/);
    screen.pty.setDimensions?.({ columns: 77, rows: 19 });
    await screen.typeUntil('stty size', /\r\n19 77\r\n/);

    await screen.close();
    // Nothing in the editor announces the hang-up: ask kubectl, each answer one round trip.
    let left = await processes();
    for (let attempt = 1; left.has(Number(pid)) && attempt < 30; attempt++) {
      left = await processes();
    }
    assert.equal(left.get(Number(pid)), undefined, `shell ${pid} ended with its terminal`);
  });

  it('ends with the exit code when the shell exits', async () => {
    const screen = await open('openShell', 'shell');
    await screen.waitFor(/[#$] /);
    const closed = new Promise<number | void>((resolve) => screen.pty.onDidClose?.(resolve));
    screen.terminal.sendText('exit 7');
    assert.equal(await closed, 7);
    assert.match(screen.text, /The shell exited with exit code 7\./);
  });

  it('explains why nginx cannot be attached to, and offers a shell instead', async () => {
    const warnings = captureMessages('showWarningMessage');
    try {
      const node = await containerNode('nginx');
      const result = await vscode.commands.executeCommand(
        'podProcessExplorer.attachTerminal',
        node,
      );
      assert.equal(result, undefined, 'no terminal');
      assert.equal(warnings.messages.length, 1, 'the explanation is shown as the command returns');
      const [[message, ...buttons]] = warnings.messages;
      assert.match(message, /nginx/);
      assert.match(message, /stdin: true/);
      assert.deepEqual(buttons, ['Open Shell']);
    } finally {
      warnings.restore();
    }
  });

  it('says when its connection drops, and Enter opens the same shell again @sandbox', async () => {
    const errors = captureMessages('showErrorMessage');
    try {
      const screen = await open('openShell', 'shell');
      await screen.typeUntil('echo "up=$((6*7))"', /up=42/);
      // The next output byte cuts the stream, with no close frame and no status.
      await sandboxCli('faults', '--drop-exec-after-bytes', '1');
      screen.terminal.sendText('echo "more output"');
      await screen.waitFor(/Press Enter to open the terminal again, any other key to close it\./);
      await sandboxCli('faults', '--drop-exec-after-bytes', '0');
      assert.ok(
        errors.messages.some(([message]) => message.startsWith('Open Shell: ')),
        `a notification says so too: ${JSON.stringify(errors.messages)}`,
      );
      const reopened = until('the reopened terminal', vscode.window.onDidOpenTerminal, () =>
        vscode.window.terminals.find(
          (terminal) => terminal !== screen.terminal && terminal.name === 'nginx/shell',
        ),
      );
      const closed = new Promise<number | void>((resolve) => screen.pty.onDidClose?.(resolve));
      screen.pty.handleInput?.('\r');
      await closed;
      const again = new Screen(await reopened);
      screens.push(again);
      await again.typeUntil('echo "again=$((6*7))"', /again=42/);
    } finally {
      errors.restore();
      await sandboxCli('faults', '--drop-exec-after-bytes', '0');
    }
  });

  it('writes the cluster’s error into the terminal: no shell in nginx, exec forbidden @sandbox', async () => {
    const errors = captureMessages('showErrorMessage');
    try {
      const noShell = await open('openShell', 'nginx');
      await noShell.waitFor(/Container "nginx" cannot run "sh"[^]*Press any key to close/);
      await sandboxCli('faults', '--forbid-exec');
      const forbidden = await open('openShell', 'shell');
      await forbidden.waitFor(/Forbidden[^]*pods\/exec[^]*Press any key to close/);
      assert.ok(
        errors.messages.some(([message]) => /^Open Shell: .*cannot run "sh"/.test(message)),
      );
    } finally {
      errors.restore();
      await sandboxCli('faults', '--allow-exec');
    }
  });
});
