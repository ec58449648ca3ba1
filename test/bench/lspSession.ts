// A language server over stdio, driven the way vscode-languageclient drives it, for benchmarks:
// Content-Length framing both ways, server-to-client requests answered, diagnostics awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

interface Message {
  readonly jsonrpc: '2.0';
  readonly id?: number | string;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
}

export interface PublishedDiagnostics {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: readonly { readonly message: string; readonly code?: unknown }[];
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** A message's size and what decoding it (UTF-8, then JSON) cost the client. */
export interface Received {
  readonly bytes: number;
  readonly decodeMs: number;
}

/**
 * Splits a byte stream into LSP messages in time linear in its length: bytes are appended to one
 * buffer that grows by doubling, and each byte is looked at once for a header and once as body.
 */
export class FrameReader {
  private buffer = Buffer.alloc(1 << 16);
  private start = 0;
  private end = 0;
  private bodyLength = -1;

  constructor(private readonly onMessage: (message: Message, received: Received) => void) {}

  push(data: Buffer): void {
    this.reserve(data.length);
    data.copy(this.buffer, this.end);
    this.end += data.length;
    for (;;) {
      if (this.bodyLength < 0) {
        const headerEnd = this.buffer.subarray(this.start, this.end).indexOf(HEADER_END);
        if (headerEnd < 0) {
          return;
        }
        const header = this.buffer.toString('ascii', this.start, this.start + headerEnd);
        const length = /Content-Length: *(\d+)/i.exec(header)?.[1];
        if (length === undefined) {
          throw new Error(`LSP header without Content-Length: ${header}`);
        }
        this.bodyLength = Number(length);
        this.start += headerEnd + HEADER_END.length;
      }
      if (this.end - this.start < this.bodyLength) {
        return;
      }
      const bytes = this.bodyLength;
      const decodeStart = performance.now();
      const body = this.buffer.toString('utf8', this.start, this.start + bytes);
      const message = JSON.parse(body) as Message;
      const decodeMs = performance.now() - decodeStart;
      this.start += bytes;
      this.bodyLength = -1;
      this.onMessage(message, { bytes, decodeMs });
    }
  }

  /** Room for `extra` more bytes: unread bytes move to the front, and the buffer doubles if need be. */
  private reserve(extra: number): void {
    const unread = this.end - this.start;
    if (this.end + extra <= this.buffer.length) {
      return;
    }
    let size = this.buffer.length;
    while (unread + extra > size) {
      size *= 2;
    }
    const target = size === this.buffer.length ? this.buffer : Buffer.alloc(size);
    this.buffer.copy(target, 0, this.start, this.end);
    this.buffer = target;
    this.start = 0;
    this.end = unread;
  }
}

export interface LspSessionOptions {
  /** The command line: the executable's arguments, ending in `--stdio`. */
  readonly args: readonly string[];
  /** What the server gets for each `workspace/configuration` item, by section. */
  readonly configuration: (section: string | undefined) => unknown;
  readonly initializationOptions?: unknown;
}

/** One language server process and the client end of its connection. */
export class LspSession {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (message: Message) => void>();
  private readonly waiters: {
    readonly accept: (params: PublishedDiagnostics) => boolean;
    readonly resolve: (params: PublishedDiagnostics) => void;
  }[] = [];
  /** The last publishDiagnostics message the client read. */
  lastPublished: Received = { bytes: 0, decodeMs: 0 };
  private readonly logWaiters: {
    readonly accept: (message: string) => boolean;
    readonly resolve: (message: string) => void;
  }[] = [];

  private constructor(private readonly options: LspSessionOptions) {
    this.child = spawn(process.execPath, options.args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const reader = new FrameReader((message, received) => this.dispatch(message, received));
    this.child.stdout!.on('data', (data: Buffer) => reader.push(data));
  }

  static async start(options: LspSessionOptions): Promise<LspSession> {
    const session = new LspSession(options);
    await session.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
        },
      },
      initializationOptions: options.initializationOptions ?? {},
    });
    session.notify('initialized', {});
    return session;
  }

  get pid(): number {
    return this.child.pid!;
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (message) =>
        message.error ? reject(new Error(message.error.message)) : resolve(message.result),
      );
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /**
   * Resolves once the server has answered a request it does not know (JSON-RPC answers
   * MethodNotFound): everything it had queued before has run.
   */
  async settled(): Promise<void> {
    await this.request('$/benchSettled', null).catch(() => undefined);
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next diagnostics published for `uri` that `accept` takes. */
  diagnostics(
    uri: string,
    accept: (params: PublishedDiagnostics) => boolean = () => true,
  ): Promise<PublishedDiagnostics> {
    return new Promise((resolve) => {
      this.waiters.push({ accept: (params) => params.uri === uri && accept(params), resolve });
    });
  }

  /** The next `window/logMessage` that `accept` takes. */
  log(accept: (message: string) => boolean): Promise<string> {
    return new Promise((resolve) => this.logWaiters.push({ accept, resolve }));
  }

  open(uri: string, text: string, languageId = 'yaml', version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** Resident and peak memory of the server process, in MB (Linux /proc). */
  memory(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kilobytes = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
    return { rss: kilobytes('VmRSS') / 1024, peak: kilobytes('VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('shutdown', null);
    this.notify('exit', null);
    await exited;
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin!.write(body);
  }

  private dispatch(message: Message, received: Received): void {
    if (message.method === undefined) {
      const resolve = this.pending.get(message.id as number);
      this.pending.delete(message.id as number);
      resolve?.(message);
    } else if (message.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: message.id, result: this.answer(message) });
    } else if (message.method === 'textDocument/publishDiagnostics') {
      const params = message.params as PublishedDiagnostics;
      this.lastPublished = received;
      const index = this.waiters.findIndex((waiter) => waiter.accept(params));
      if (index >= 0) {
        this.waiters.splice(index, 1)[0].resolve(params);
      }
    } else if (message.method === 'window/logMessage') {
      const text = (message.params as { message: string }).message;
      const index = this.logWaiters.findIndex((waiter) => waiter.accept(text));
      if (index >= 0) {
        this.logWaiters.splice(index, 1)[0].resolve(text);
      }
    }
  }

  private answer(message: Message): unknown {
    if (message.method === 'workspace/configuration') {
      const { items } = message.params as { items: { section?: string }[] };
      return items.map((item) => this.options.configuration(item.section));
    }
    return null;
  }
}
