/** Quiet while the user types: one check per document after this pause in its changes. */
export const CHECK_DEBOUNCE_MS = 250;

/** The timer functions the scheduler uses; tests pass a clock they advance themselves. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * One check per document after a pause in its changes: every `schedule` restarts the document's
 * timer, so a burst of edits costs one check.
 */
export class CheckScheduler {
  private readonly pending = new Map<string, unknown>();

  constructor(
    private readonly delayMs: number,
    private readonly check: (uri: string) => void,
    private readonly timers: Timers = NODE_TIMERS,
  ) {}

  schedule(uri: string, delayMs = this.delayMs): void {
    this.cancel(uri);
    this.pending.set(
      uri,
      this.timers.setTimeout(() => {
        this.pending.delete(uri);
        this.check(uri);
      }, delayMs),
    );
  }

  cancel(uri: string): void {
    const handle = this.pending.get(uri);
    if (handle !== undefined) {
      this.timers.clearTimeout(handle);
      this.pending.delete(uri);
    }
  }
}
