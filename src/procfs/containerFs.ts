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
}

/** A transfer may take this long per MiB on top of the request timeout: about 1 MB/s at worst. */
const TRANSFER_MS_PER_MIB = 1000;
/** A read's size is known only once it started; its whole exec may take this many timeouts. */
const READ_TIMEOUT_FACTOR = 10;

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
    const { stdout, nonce } = await this.run({ op: 'list', path });
    return parseListing(stdout, nonce);
  }

  /**
   * The file's bytes, streamed into a buffer of the size the container announced before sending
   * them: fewer bytes (a cut stream) or more (the file grew meanwhile) are an error, never data.
   */
  async read(path: string): Promise<Uint8Array> {
    const nonce = newNonce();
    let header = Buffer.alloc(0);
    let content: Buffer | undefined;
    let received = 0;
    let overflow = false;
    const onStdout = (chunk: Buffer) => {
      if (!content) {
        header = Buffer.concat([header, chunk]);
        const end = header.indexOf(0x0a);
        if (end < 0) {
          return;
        }
        const size = /^size (\d+)$/.exec(
          splitRecords(header.subarray(0, end + 1), nonce)[0]?.toString('latin1') ?? '',
        );
        if (!size) {
          return;
        }
        content = Buffer.allocUnsafe(Number(size[1]));
        chunk = header.subarray(end + 1);
      }
      if (received + chunk.length > content.length) {
        overflow = true;
        return;
      }
      chunk.copy(content, received);
      received += chunk.length;
    };
    const result = await this.exec({
      command: remoteCommand(this.root, nonce, { op: 'read', path }),
      onStdout,
      timeoutMs: this.requestTimeoutMs * READ_TIMEOUT_FACTOR,
    });
    if (!content) {
      throwIfRefused(splitRecords(header, nonce)[0]);
      throw result.exitCode === 0
        ? new RemoteFsError('ESHORT', 'the file was not sent')
        : remoteFailure(result.exitCode, result.stderr);
    }
    if (result.exitCode !== 0) {
      throw remoteFailure(result.exitCode, result.stderr);
    }
    if (overflow || received !== content.length) {
      throw new RemoteFsError(
        'ESHORT',
        `${received} of ${content.length} bytes arrived${overflow ? '; the file grew while read' : ''}`,
      );
    }
    return content;
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
      { op: 'stage', path, ...options, size: content.length },
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
    const committed = await this.run({ op: 'commit', path, stagedAs });
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
    });
    if (result.exitCode !== 0) {
      throwIfRefused(splitRecords(result.stdout, nonce)[0]);
      throw remoteFailure(result.exitCode, result.stderr);
    }
    return { stdout: result.stdout, nonce };
  }
}
