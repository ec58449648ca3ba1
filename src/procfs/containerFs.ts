import { remoteCommand, newNonce, type RemoteOperation } from './remoteScript';
import {
  RemoteFsError,
  parseDone,
  parseFileList,
  parseListing,
  parseStat,
  parseTextMatches,
  remoteFailure,
  splitRecords,
  throwIfRefused,
  type FileList,
  type RemoteEntry,
  type RemoteStat,
  type TextMatches,
} from './remoteOutput';

/*
 * The filesystem under one `/proc/<pid>/root`, one exec per operation (two for a write). Pure: it
 * knows neither VS Code nor the cluster layer, only a function that runs an argv, so the provider,
 * the unit tests (a local sh) and the benchmark share it.
 */

export interface FsExecRequest {
  readonly command: readonly string[];
  readonly stdin?: Uint8Array;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The most output the exec may collect; past it the exec is stopped and fails. */
  readonly maxOutputBytes?: number;
}

export interface FsExecResult {
  readonly exitCode: number;
  /** Empty when `onStdout` streamed it. */
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export type FsExec = (request: FsExecRequest) => Promise<FsExecResult>;

export interface WriteOptions {
  readonly create: boolean;
  readonly overwrite: boolean;
  /**
   * Write the bytes into the existing file instead of renaming a whole copy over it: for a file
   * that rename cannot replace (a bind mount: EBUSY). Not atomic; the caller asks the user first.
   */
  readonly inPlace?: boolean;
}

/** A transfer may take this long per MiB on top of the request timeout: about 1 MB/s at worst. */
const TRANSFER_MS_PER_MIB = 1000;
/** A read's size is known only once it started; its whole exec may take this many timeouts. */
const READ_TIMEOUT_FACTOR = 10;
/** The largest file read into the editor; a larger one is refused before its bytes are sent. */
export const MAX_READ_BYTES = 1024 ** 3;
/** What is read of a file whose size reads 0 (`/proc`, `/sys`): at most this much. */
export const MAX_STREAM_BYTES = 16 * 1024 ** 2;
/** A directory listing's budget: about 200 bytes an entry, for 300,000 entries. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;
/** Every other answer but a read's or a search's is a record or two. */
const MAX_ANSWER_BYTES = 1024 * 1024;
/** The `size` record comes first and is short; more bytes without a newline are not it. */
const MAX_HEADER_BYTES = 4096;

export class ContainerFs {
  constructor(
    private readonly exec: FsExec,
    /** `/proc/<pid>/root` as the inspecting container sees it. */
    private readonly root: string,
    private readonly requestTimeoutMs: number,
  ) {}

  async stat(path: string): Promise<RemoteStat> {
    const { stdout, nonce } = await this.run({ op: 'stat', path });
    return parseStat(stdout, nonce);
  }

  /** Every entry of a directory in one exec, with type, size, mtime and permissions. */
  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const { stdout, nonce } = await this.run({ op: 'list', path });
      return parseListing(stdout, nonce);
    } catch (error) {
      // `find` stops short when an entry goes between its readdir and its stat: once more.
      if (!(error instanceof RemoteFsError && error.code === 'EIO' && error.detail === 'find')) {
        throw error;
      }
      const { stdout, nonce } = await this.run({ op: 'list', path });
      return parseListing(stdout, nonce);
    }
  }

  /**
   * The file's bytes, streamed into a buffer of the size the container announced before sending
   * them: fewer bytes (a cut stream) or more (the file grew meanwhile) are an error, never data.
   * A file that announces size 0 (`/proc`, `/sys`) is read up to MAX_STREAM_BYTES; one larger
   * than MAX_READ_BYTES, a FIFO or a device is refused before any byte is sent. Whatever the
   * container sends past what it announced stops the exec at once.
   */
  async read(path: string): Promise<Uint8Array> {
    const nonce = newNonce();
    const stop = new AbortController();
    let header: Buffer | undefined = Buffer.alloc(0);
    let content: Buffer | undefined;
    const streamed: Buffer[] = [];
    let received = 0;
    let overflow = false;
    const take = (chunk: Buffer) => {
      const limit = content ? content.length : MAX_STREAM_BYTES;
      if (received + chunk.length > limit) {
        overflow = true;
        stop.abort();
        return;
      }
      if (content) {
        chunk.copy(content, received);
      } else {
        streamed.push(chunk);
      }
      received += chunk.length;
    };
    const onStdout = (chunk: Buffer) => {
      if (overflow) {
        return;
      }
      if (!header) {
        take(chunk);
        return;
      }
      header = Buffer.concat([header, chunk]);
      const end = header.indexOf(0x0a);
      if (end < 0) {
        if (header.length > MAX_HEADER_BYTES) {
          overflow = true;
          stop.abort();
        }
        return;
      }
      const record = splitRecords(header.subarray(0, end + 1), nonce)[0]?.toString('latin1') ?? '';
      const size = /^size (\d+)$/.exec(record);
      if (!size && record !== 'stream') {
        return;
      }
      const rest = header.subarray(end + 1);
      header = undefined;
      // The script refused anything larger than MAX_READ_BYTES, which a Buffer can hold.
      content = size ? Buffer.allocUnsafe(Number(size[1])) : undefined;
      take(rest);
    };
    let result: FsExecResult;
    try {
      result = await this.exec({
        command: remoteCommand(this.root, nonce, {
          op: 'read',
          path,
          maxBytes: MAX_READ_BYTES,
          maxStreamBytes: MAX_STREAM_BYTES,
        }),
        onStdout,
        timeoutMs: this.requestTimeoutMs * READ_TIMEOUT_FACTOR,
        signal: stop.signal,
      });
    } catch (error) {
      if (overflow) {
        throw this.overflowError(content);
      }
      throw error;
    }
    if (overflow) {
      throw this.overflowError(content);
    }
    if (header) {
      throwIfRefused(splitRecords(header, nonce)[0]);
      throw result.exitCode === 0
        ? new RemoteFsError('ESHORT', 'the file was not sent')
        : remoteFailure(result.exitCode, result.stderr);
    }
    if (result.exitCode !== 0) {
      throw remoteFailure(result.exitCode, result.stderr);
    }
    if (!content) {
      return Buffer.concat(streamed, received);
    }
    if (received !== content.length) {
      throw new RemoteFsError('ESHORT', `${received} of ${content.length} bytes arrived`);
    }
    return content;
  }

  private overflowError(content: Buffer | undefined): RemoteFsError {
    return content
      ? new RemoteFsError(
          'ESHORT',
          `more than the ${content.length} bytes announced arrived: the file grew while read`,
        )
      : new RemoteFsError('EFBIG', String(MAX_STREAM_BYTES));
  }

  /**
   * Writes the bytes to a temporary file beside the target (checked for the full length, with the
   * existing file's mode and owner), then renames it into place in a second exec. The rename runs
   * only after this side saw the first exec finish, so a transfer cut anywhere leaves the old file
   * as it was; the temporary file is removed where the connection still allows.
   */
  async write(path: string, content: Uint8Array, options: WriteOptions): Promise<void> {
    const stagedAs = newNonce();
    const staged = await this.run(
      {
        op: 'stage',
        path,
        create: options.create,
        overwrite: options.overwrite,
        size: content.length,
      },
      content,
      stagedAs,
    ).catch(async (error: unknown) => {
      // A refusal left no file behind; a cut connection may have left a whole one.
      if (!(error instanceof RemoteFsError)) {
        await this.run({ op: 'discard', path, stagedAs }).catch(() => undefined);
      }
      throw error;
    });
    parseDone(staged.stdout, staged.nonce, 'staged');
    // A failed commit removes the temporary file itself.
    const committed = await this.run({
      op: options.inPlace ? 'inplace' : 'commit',
      path,
      stagedAs,
    });
    parseDone(committed.stdout, committed.nonce);
  }

  async delete(path: string, recursive: boolean): Promise<void> {
    const { stdout, nonce } = await this.run({ op: 'delete', path, recursive });
    parseDone(stdout, nonce);
  }

  async rename(path: string, target: string, overwrite: boolean): Promise<void> {
    const { stdout, nonce } = await this.run({ op: 'rename', path, target, overwrite });
    parseDone(stdout, nonce);
  }

  async copy(path: string, target: string, overwrite: boolean): Promise<void> {
    const { stdout, nonce } = await this.run({ op: 'copy', path, target, overwrite });
    parseDone(stdout, nonce);
  }

  /**
   * Every regular file under a directory (the root's /proc, /sys and /dev left out), in one exec
   * of `find`; at most `maxBytes` of names.
   */
  async findFiles(path: string, maxBytes: number, signal?: AbortSignal): Promise<FileList> {
    const { stdout, nonce } = await this.run(
      { op: 'files', path, maxBytes },
      undefined,
      newNonce(),
      { signal, timeoutMs: this.requestTimeoutMs * READ_TIMEOUT_FACTOR },
    );
    return parseFileList(stdout, nonce, maxBytes);
  }

  /**
   * The lines holding `text` (literally) in the files under a directory, in one exec of `find` and
   * `grep` (at most 100 lines a file, `maxBytes` of output; binary files left out).
   */
  async searchText(
    path: string,
    query: { readonly text: string; readonly ignoreCase: boolean },
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<TextMatches> {
    const { stdout, nonce } = await this.run(
      { op: 'grep', path, maxBytes, ...query },
      undefined,
      newNonce(),
      { signal, timeoutMs: this.requestTimeoutMs * READ_TIMEOUT_FACTOR },
    );
    return parseTextMatches(stdout, nonce, maxBytes);
  }

  async createDirectory(path: string): Promise<void> {
    const { stdout, nonce } = await this.run({ op: 'mkdir', path });
    parseDone(stdout, nonce);
  }

  /** Runs one operation; a refusal the script stated or a tool's failure is thrown. */
  private async run(
    operation: RemoteOperation,
    stdin?: Uint8Array,
    nonce = newNonce(),
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<{ stdout: Buffer; nonce: string }> {
    const result = await this.exec({
      command: remoteCommand(this.root, nonce, operation),
      stdin,
      signal: options.signal,
      timeoutMs:
        options.timeoutMs ??
        this.requestTimeoutMs + ((stdin?.length ?? 0) / 1024 / 1024) * TRANSFER_MS_PER_MIB,
      maxOutputBytes: outputBudget(operation),
    });
    if (result.exitCode !== 0) {
      throwIfRefused(splitRecords(result.stdout, nonce)[0]);
      throw remoteFailure(result.exitCode, result.stderr);
    }
    return { stdout: result.stdout, nonce };
  }
}

/** What an operation may send back before its exec is stopped. */
function outputBudget(operation: RemoteOperation): number {
  switch (operation.op) {
    case 'list':
      return MAX_LISTING_BYTES;
    case 'files':
    case 'grep':
      // The script cuts each of its two sections at maxBytes.
      return 2 * operation.maxBytes + MAX_ANSWER_BYTES;
    default:
      return MAX_ANSWER_BYTES;
  }
}
