/**
 * The one way the test clusters and their suites wait on a state they cannot subscribe to (a
 * process started, a pod event, a file written by another process): `check` is asked every
 * `intervalMs` until it returns a value other than undefined, which is returned. After
 * `timeoutMs` it fails with "timed out waiting for <what>"; `what` may be a function, so the
 * message can show the state at the deadline.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string | (() => Promise<string> | string),
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) {
      return result;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
