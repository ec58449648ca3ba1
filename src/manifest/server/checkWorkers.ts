import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CheckDocuments, DocumentCheck } from './manifestChecker';

/** Below this much unchecked text a file is checked on the server's own thread alone. */
export const PARALLEL_MIN_CHARS = 200_000;
/**
 * Workers beside the server's thread. Each holds about 30 MB while it lives (its own heap and
 * young generation): with three, the server's peak over the memory bench went from 278 MB to
 * 349 MB, past the 300 MB it must stay under, so one worker it is, on any machine of two cores
 * or more.
 */
const MAX_WORKERS = 1;
/** Each file's work is cut into this many batches per thread, so a slow thread takes fewer. */
const BATCHES_PER_THREAD = 4;
/** Idle workers are ended after this, so the memory they hold goes back. */
const IDLE_MS = 120_000;

/** What the server asks of a check worker (checkWorker.ts), and what it answers. */
export interface CheckRequest {
  readonly id: number;
  readonly texts: readonly string[];
}
export interface CheckAnswer {
  readonly id: number;
  readonly checks: readonly DocumentCheck[];
}
/** What the server tells a new worker. */
export interface CheckWorkerData {
  readonly l10nBundlePath: string | undefined;
}

interface Batch {
  readonly start: number;
  readonly texts: readonly string[];
}

/**
 * Checks the documents of a large file on worker threads beside the server's own: each document
 * is checked on its own, so a file of thousands of them (a `kubectl get -o yaml` dump, a rendered
 * chart) is spread over two cores. The work is cut into batches that each thread takes
 * as it gets free; the server's thread takes its batches between turns of its event loop, so it
 * still reads messages while a file is checked, and a worker that is slow to start or busy with
 * another file takes fewer. A worker that fails hands its batch back to the server's thread.
 */
export class CheckWorkerPool {
  private readonly workers: Worker[] = [];
  /** Requests sent and not answered, with the worker each went to. */
  private readonly waiting = new Map<
    number,
    { readonly worker: Worker; readonly answer: (checks: readonly DocumentCheck[] | Error) => void }
  >();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private running = 0;

  constructor(
    private readonly workerCount: number,
    /** Read as each worker starts: the server knows its language only once initialized. */
    private readonly workerData: () => CheckWorkerData,
    private readonly onWorkerError: (error: unknown) => void,
    private readonly workerFile = defaultWorkerFile(),
  ) {}

  /** Workers for this machine: one less than its cores, at most MAX_WORKERS; none on one core. */
  static forThisMachine(
    workerData: () => CheckWorkerData,
    onWorkerError: (error: unknown) => void,
  ): CheckWorkerPool {
    return new CheckWorkerPool(
      Math.min(MAX_WORKERS, availableParallelism() - 1),
      workerData,
      onWorkerError,
    );
  }

  readonly checkDocuments: CheckDocuments = async (texts, checkHere) => {
    const size = texts.reduce((sum, text) => sum + text.length, 0);
    if (this.workerCount < 1 || texts.length < 2 || size < PARALLEL_MIN_CHARS) {
      return texts.map(checkHere);
    }
    this.running++;
    clearTimeout(this.idleTimer);
    try {
      return await this.spread(texts, size, checkHere);
    } finally {
      if (--this.running === 0) {
        this.idleTimer = setTimeout(() => this.dispose(), IDLE_MS).unref();
      }
    }
  };

  private async spread(
    texts: readonly string[],
    size: number,
    checkHere: (text: string) => DocumentCheck,
  ): Promise<DocumentCheck[]> {
    const queue = batches(texts, size, (this.workerCount + 1) * BATCHES_PER_THREAD);
    const checks: DocumentCheck[] = new Array<DocumentCheck>(texts.length);
    const store = (batch: Batch, results: readonly DocumentCheck[]) =>
      results.forEach((check, index) => (checks[batch.start + index] = check));
    const workerLoops = this.startedWorkers().map(async (worker) => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const results = await this.ask(worker, batch.texts);
        if (results instanceof Error) {
          // Checked here instead; this worker takes no more of the file.
          this.onWorkerError(results);
          store(batch, batch.texts.map(checkHere));
          return;
        }
        store(batch, results);
      }
    });
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      store(batch, batch.texts.map(checkHere));
      // A turn of the event loop: the workers' answers are read, and they are given more.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(workerLoops);
    return checks;
  }

  private startedWorkers(): Worker[] {
    while (this.workers.length < this.workerCount) {
      try {
        this.workers.push(this.startWorker());
      } catch (error) {
        this.onWorkerError(error);
        break;
      }
    }
    return [...this.workers];
  }

  private startWorker(): Worker {
    const worker = new Worker(this.workerFile, { workerData: this.workerData() });
    worker.on('message', ({ id, checks }: CheckAnswer) => this.answer(id, checks));
    // A worker that failed is dropped: what it was asked is answered with the error.
    const fail = (error: Error) => {
      const index = this.workers.indexOf(worker);
      if (index !== -1) {
        this.workers.splice(index, 1);
      }
      for (const [id, request] of this.waiting) {
        if (request.worker === worker) {
          this.answer(id, error);
        }
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`A check worker exited with code ${code}.`)));
    return worker;
  }

  private answer(id: number, checks: readonly DocumentCheck[] | Error): void {
    const request = this.waiting.get(id);
    this.waiting.delete(id);
    request?.answer(checks);
  }

  private ask(worker: Worker, texts: readonly string[]): Promise<readonly DocumentCheck[] | Error> {
    // Another file's check may have seen this worker fail, or the server ended it; it would
    // never answer.
    if (!this.workers.includes(worker)) {
      return Promise.resolve(new Error('The check worker was ended.'));
    }
    const id = this.nextId++;
    return new Promise((answer) => {
      this.waiting.set(id, { worker, answer });
      const request: CheckRequest = { id, texts };
      worker.postMessage(request);
    });
  }

  /** Ends the workers; the next large file starts new ones. */
  dispose(): void {
    clearTimeout(this.idleTimer);
    for (const worker of this.workers.splice(0)) {
      void worker.terminate();
    }
  }
}

/** The worker bundle beside this one (dist/checkWorker.js; checkWorker.ts when run from source). */
function defaultWorkerFile(): string {
  return path.join(__dirname, `checkWorker${path.extname(__filename)}`);
}

/** Consecutive runs of `texts` of about equal size, `count` of them at most. */
function batches(texts: readonly string[], size: number, count: number): Batch[] {
  const result: Batch[] = [];
  const target = size / count;
  let start = 0;
  let batchSize = 0;
  texts.forEach((text, index) => {
    batchSize += text.length;
    if (batchSize >= target || index === texts.length - 1) {
      result.push({ start, texts: texts.slice(start, index + 1) });
      start = index + 1;
      batchSize = 0;
    }
  });
  return result;
}
