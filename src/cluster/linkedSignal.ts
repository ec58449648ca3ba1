/**
 * A signal that aborts when any of `sources` does, and stops listening to them on dispose().
 * Not AbortSignal.any: on Node 20 a signal it makes stays referenced by a long-lived source
 * (a session's, a watch's) for as long as that source lives (nodejs/node #55351), so one per
 * exec would leak for the whole life of the extension.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function linkedSignal(sources: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const present = sources.filter((source): source is AbortSignal => source !== undefined);
  const listeners = present.map((source) => {
    const onAbort = () => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    return () => source.removeEventListener('abort', onAbort);
  });
  const aborted = present.find((source) => source.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
  }
  return {
    signal: controller.signal,
    dispose: () => listeners.forEach((remove) => remove()),
  };
}
