import { parentPort, workerData } from 'node:worker_threads';
import type { CheckAnswer, CheckRequest, CheckWorkerData } from './checkWorkers';
import { checkSafely } from './manifestChecker';
import { configureServerL10n } from './serverL10n';

// A check worker (checkWorkers.ts): checks the documents it is sent, in the server's language.
// The server has already logged any problem with the bundle, so none is logged here again.
configureServerL10n((workerData as CheckWorkerData).l10nBundlePath);
parentPort?.on('message', ({ id, texts }: CheckRequest) => {
  const answer: CheckAnswer = { id, checks: texts.map((text) => checkSafely(text)) };
  parentPort?.postMessage(answer);
});
