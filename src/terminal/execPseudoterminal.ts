import * as vscode from 'vscode';
import type { ClusterSession, Disposable, ExecChannel, ExecChannelResult } from '../cluster';
import { errorMessage, isClusterError, showError } from '../common/errors';
import {
  hangUpCommand,
  type AnnouncedShell,
  interactiveShellCommand,
  SHELL_PROBE_COMMAND,
  shellFromProbe,
  ShellStartReader,
} from './shellCommand';
import { resizeSequence, type TerminalSize } from './terminalSize';
import {
  CLEAR_LINE,
  noticeLines,
  TerminalOutputDecoder,
  terminalName,
  transientNote,
} from './terminalText';

export type TerminalKind = 'attach' | 'shell';

/** What a terminal connects to. */
export interface TerminalTarget {
  readonly kind: TerminalKind;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Whether the session runs on a tty: the container's `tty` for an attach, always for a shell. */
  readonly tty: boolean;
}

/** Long enough for a slow cluster, short enough that a closed terminal's cleanup ends. */
const HANG_UP_TIMEOUT_MS = 15_000;

type Phase = 'idle' | 'connecting' | 'running' | 'ended' | 'closed';

/**
 * A VS Code terminal over an exec or attach session: stdin, a tty, the terminal's size on
 * channel 4, output decoded as a stream. It owns its ClusterSession (and disposes it), so a tree
 * refresh or a context switch, which replace the shared session, does not cut an open terminal.
 * Keep-alive pings come from the cluster layer's socket (ExecSocket pings an idle session and ends
 * it as unreachable when no pong comes).
 *
 * Ends: the remote process exits → a line with its exit code, then the terminal closes with that
 * code. A failure (forbidden, no shell, unreachable, cut) → the message in red, also as a
 * notification, and the terminal stays until a key is pressed, so what was on it can still be
 * read; after a dropped connection (cut, unreachable, timed out) Enter opens the same terminal
 * again, in a new tab. The user closes the terminal → the socket is closed, and a shell is hung
 * up first.
 */
export class ExecPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidClose = this.closeEmitter.event;

  readonly name: string;
  private phase: Phase = 'idle';
  private readonly connecting = new AbortController();
  private channel: ExecChannel | undefined;
  private channelSubscriptions: Disposable[] = [];
  private markChannelEnded: () => void = () => undefined;
  private readonly channelEnded = new Promise<void>((resolve) => (this.markChannelEnded = resolve));
  private size: TerminalSize | undefined;
  /** An attach sends its first size with the redraw sequence. */
  private redrawPending: boolean;
  /** Input typed before the remote side can take it (the channel opening, the shell starting). */
  private pendingInput: string[] | undefined = [];
  private readonly shellStart: ShellStartReader | undefined;
  private readonly stdout: TerminalOutputDecoder;
  private readonly stderr: TerminalOutputDecoder;
  /** Set by a failure that another try may get past (a dropped connection): Enter then reopens. */
  private reopenable = false;

  constructor(
    private readonly session: ClusterSession,
    readonly target: TerminalTarget,
    private readonly log: vscode.LogOutputChannel,
    /** The command's title, which a failure's notification starts with. */
    private readonly title: string,
    /** Opens the same terminal again (a new session and tab), offered after a dropped connection. */
    private readonly reopen?: () => void,
  ) {
    this.name = terminalName(target.pod, target.container);
    this.redrawPending = target.kind === 'attach';
    this.shellStart = target.kind === 'shell' ? new ShellStartReader() : undefined;
    const lineFeeds = target.tty ? 'asSent' : 'toCrLf';
    this.stdout = new TerminalOutputDecoder(lineFeeds);
    this.stderr = new TerminalOutputDecoder(lineFeeds);
  }

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    this.size = initialDimensions;
    this.phase = 'connecting';
    this.write(
      transientNote(
        this.target.kind === 'attach'
          ? vscode.l10n.t('Attaching to {0}…', this.name)
          : vscode.l10n.t('Opening a shell in {0}…', this.name),
      ),
    );
    void this.connect();
  }

  handleInput(data: string): void {
    if (this.phase === 'ended') {
      // After a failure the terminal waits for a key, then closes (Enter: and opens again).
      if (this.reopenable && this.reopen && (data === '\r' || data === '\n')) {
        this.reopen();
      }
      this.closeEmitter.fire();
    } else if (this.pendingInput) {
      this.pendingInput.push(data);
    } else {
      this.channel?.write(data);
    }
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.size = dimensions;
    this.sendSize();
  }

  /** The terminal was closed (by the user, or by VS Code after the session ended). */
  close(): void {
    const phase = this.phase;
    this.phase = 'closed';
    if (phase === 'running' && this.channel) {
      const shell = this.shellStart?.shell;
      const hungUp = shell === undefined ? Promise.resolve() : this.hangUp(shell);
      this.channel.close();
      void Promise.all([hungUp, this.channelEnded]).then(() => this.release());
    } else {
      this.connecting.abort();
      this.release();
    }
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }

  private async connect(): Promise<void> {
    let channel: ExecChannel;
    try {
      channel = await this.openChannel();
    } catch (error) {
      if (this.phase === 'connecting') {
        this.fail(error);
      }
      return;
    }
    if (this.phase !== 'connecting') {
      // Closed while connecting (the abort came too late to stop the upgrade).
      channel.close();
      return;
    }
    this.channel = channel;
    this.phase = 'running';
    this.log.info(`Terminal ${this.name}: ${this.target.kind} open (${channel.protocol}).`);
    this.write(CLEAR_LINE);
    if (!this.target.tty) {
      this.write(
        noticeLines(
          vscode.l10n.t(
            'Container {0} has no tty: what you type is sent without being shown.',
            this.target.container,
          ),
          'note',
        ),
      );
    }
    this.channelSubscriptions = [
      channel.onStdout((chunk) => this.output(chunk, this.stdout)),
      channel.onStderr((chunk) => this.output(chunk, this.stderr)),
      channel.onClose((result) => this.ended(result)),
    ];
    this.sendSize();
    if (!this.shellStart) {
      this.takeInput();
    }
  }

  private async openChannel(): Promise<ExecChannel> {
    const { namespace, pod, container, tty } = this.target;
    const signal = this.connecting.signal;
    if (this.target.kind === 'attach') {
      return this.session.openExecChannel({ namespace, pod, container, stdin: true, tty, signal });
    }
    const probe = await this.session.exec({
      namespace,
      pod,
      container,
      command: SHELL_PROBE_COMMAND,
      signal,
    });
    return this.session.openExecChannel({
      namespace,
      pod,
      container,
      command: interactiveShellCommand(shellFromProbe(probe.stdout.toString('utf8'))),
      stdin: true,
      tty: true,
      signal,
    });
  }

  private output(chunk: Buffer, decoder: TerminalOutputDecoder): void {
    const bytes = this.shellStart && decoder === this.stdout ? this.shellStart.push(chunk) : chunk;
    if (this.shellStart?.settled && this.pendingInput) {
      this.takeInput();
    }
    if (bytes.length > 0) {
      this.write(decoder.decode(bytes));
    }
  }

  /** The remote side can take input now: what was typed meanwhile goes first. */
  private takeInput(): void {
    const typed = this.pendingInput?.join('') ?? '';
    this.pendingInput = undefined;
    if (typed) {
      this.channel?.write(typed);
    }
  }

  private sendSize(): void {
    if (this.phase !== 'running' || !this.channel || !this.size) {
      return;
    }
    for (const size of resizeSequence(this.size, this.redrawPending)) {
      this.channel.resize(size.columns, size.rows);
    }
    this.redrawPending = false;
  }

  private ended(result: ExecChannelResult): void {
    this.markChannelEnded();
    if (this.phase !== 'running') {
      return;
    }
    this.write(this.stdout.decode(this.shellStart?.flush() ?? Buffer.alloc(0)));
    this.write(this.stdout.end() + this.stderr.end());
    if (result.exitCode === undefined) {
      this.fail(result.error);
      return;
    }
    const exitCode = result.exitCode;
    this.log.info(`Terminal ${this.name}: ${this.target.kind} ended with exit code ${exitCode}.`);
    this.write(
      noticeLines(
        this.target.kind === 'attach'
          ? vscode.l10n.t('The attached process ended with exit code {0}.', exitCode)
          : vscode.l10n.t('The shell exited with exit code {0}.', exitCode),
        'note',
      ),
    );
    this.phase = 'ended';
    this.release();
    this.closeEmitter.fire(exitCode);
  }

  private fail(error: unknown): void {
    this.phase = 'ended';
    this.reopenable =
      this.reopen !== undefined &&
      isClusterError(error) &&
      (error.kind === 'truncated' || error.kind === 'unreachable' || error.kind === 'timeout');
    this.write(
      noticeLines(errorMessage(error), 'error') +
        noticeLines(
          this.reopenable
            ? vscode.l10n.t('Press Enter to open the terminal again, any other key to close it.')
            : vscode.l10n.t('Press any key to close the terminal.'),
          'note',
        ),
    );
    this.release();
    void showError(this.log, error, this.title);
  }

  /** Hangs the shell up through an exec of its own; the socket's close alone would leave it. */
  private async hangUp(shell: AnnouncedShell): Promise<void> {
    const { namespace, pod, container } = this.target;
    try {
      await this.session.exec({
        namespace,
        pod,
        container,
        command: hangUpCommand(shell),
        timeoutMs: HANG_UP_TIMEOUT_MS,
      });
    } catch (error) {
      this.log.warn(
        `Terminal ${this.name}: could not hang up shell ${shell.pid}: ${errorMessage(error)}`,
      );
    }
  }

  /** Ends everything the session holds; the terminal keeps what it shows. */
  private release(): void {
    this.channelSubscriptions.forEach((subscription) => subscription.dispose());
    this.channelSubscriptions = [];
    this.session.dispose();
  }

  private write(text: string): void {
    if (text && this.phase !== 'closed') {
      this.writeEmitter.fire(text);
    }
  }
}
