import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';

/**
 * Answers a request the way VS Code's own language servers do: a request cancelled before or
 * while it runs answers RequestCancelled (which the client drops silently), and one that throws
 * is logged and answers `errorValue`, so no exception reaches the client as a "Request … failed"
 * notification. The work starts on the next turn of the event loop, after a `$/cancelRequest`
 * that is already waiting has been read.
 */
export function runSafe<T>(
  token: CancellationToken,
  run: () => T | Promise<T>,
  errorValue: T,
  onError: (error: unknown) => void,
): Promise<T | ResponseError<void>> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (token.isCancellationRequested) {
        resolve(cancelled());
        return;
      }
      Promise.resolve()
        .then(run)
        .then(
          (result) => resolve(token.isCancellationRequested ? cancelled() : result),
          (error: unknown) => {
            onError(error);
            resolve(errorValue);
          },
        );
    });
  });
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

/** An error as a log line: the stack when there is one. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
