import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckWorkerPool, PARALLEL_MIN_CHARS } from '../../../src/manifest/server/checkWorkers';
import {
  ManifestChecker,
  checkSafely,
  type DocumentCheck,
} from '../../../src/manifest/server/manifestChecker';
import { splitDocuments } from '../../../src/manifest/server/manifestModel';
import { fixture } from './manifestTestSupport';

const ROOT = path.resolve(__dirname, '../../..');

/** A file of many documents, each named apart, larger than what is worth spreading. */
function largeFile(): string {
  const documents = fixture('every-kind.yaml').split(/^---\n/m);
  const copies: string[] = [];
  for (let size = 0, i = 0; size < 2 * PARALLEL_MIN_CHARS; i++) {
    const copy = documents[i % documents.length].replace(/name: (\S+)/, `name: $1-${i}`);
    copies.push(copy);
    size += copy.length;
  }
  return copies.join('---\n');
}

/** A worker script of the test's own, in a folder of its own. */
function workerScript(source: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'check-worker-')), 'worker.js');
  writeFileSync(file, source);
  return file;
}

describe('check workers', function () {
  // A worker loads the server's sources through tsx here, which takes seconds on a busy machine.
  this.timeout(60_000);
  const text = largeFile();
  const texts = splitDocuments(text).map((chunk) => chunk.text);
  const pools: CheckWorkerPool[] = [];
  afterEach(() => pools.splice(0).forEach((pool) => pool.dispose()));

  function pool(
    workerFile?: string,
    l10nBundlePath?: string,
    errors: unknown[] = [],
  ): CheckWorkerPool {
    const created = new CheckWorkerPool(
      1,
      () => ({ l10nBundlePath }),
      (error) => errors.push(error),
      workerFile,
    );
    pools.push(created);
    return created;
  }

  /** `checkSafely`, counting the documents checked on this thread. */
  function countedHere(): { checkHere: (text: string) => DocumentCheck; count: () => number } {
    let count = 0;
    return {
      checkHere: (document) => {
        count++;
        return checkSafely(document);
      },
      count: () => count,
    };
  }

  it('finds in a large file what one thread finds, in document order, with part of it checked by a worker', async () => {
    const here = countedHere();
    const spread = await pool().checkDocuments(texts, here.checkHere);
    assert.deepEqual(
      spread.map((check) => check.findings),
      texts.map((document) => checkSafely(document).findings),
    );
    assert.ok(here.count() < texts.length, 'a worker took some of the documents');
  });

  it('checks a small file on its own thread, starting no worker', async () => {
    const small = splitDocuments(fixture('every-kind.yaml')).map((chunk) => chunk.text);
    const here = countedHere();
    const errors: unknown[] = [];
    const checks = await pool(workerScript('process.exit(9);'), undefined, errors).checkDocuments(
      small,
      here.checkHere,
    );
    assert.equal(here.count(), small.length);
    assert.equal(checks.length, small.length);
    assert.deepEqual(errors, [], 'the broken worker was never started');
  });

  it('writes the messages a worker finds in the server’s language', async () => {
    const here = countedHere();
    const checks = await pool(
      undefined,
      path.join(ROOT, 'l10n/bundle.l10n.ja.json'),
    ).checkDocuments(texts, here.checkHere);
    const messages = checks.flatMap((check) => check.findings.map((finding) => finding.message));
    // This thread speaks English; the worker was told the Japanese bundle.
    assert.ok(messages.some((message) => /[\u3040-\u30ff]/.test(message)));
    assert.ok(messages.some((message) => /^[\x20-\x7e]+$/.test(message)));
  });

  for (const [failure, source] of [
    ['throws as it loads', "throw new Error('the worker bundle is broken');"],
    [
      'exits while checking',
      "require('node:worker_threads').parentPort.on('message', () => process.exit(3));",
    ],
  ]) {
    it(`checks everything on its own thread when a worker ${failure}, and says why`, async () => {
      const errors: unknown[] = [];
      const here = countedHere();
      const checks = await pool(workerScript(source), undefined, errors).checkDocuments(
        texts,
        here.checkHere,
      );
      assert.equal(here.count(), texts.length);
      assert.deepEqual(
        checks.map((check) => check.findings),
        texts.map((document) => checkSafely(document).findings),
      );
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /broken|exited with code 3/);
    });
  }

  it('finishes a check on its own thread when the workers are ended under way', async () => {
    const errors: unknown[] = [];
    const workers = pool(undefined, undefined, errors);
    const here = countedHere();
    const spread = workers.checkDocuments(texts, here.checkHere);
    // The worker has a batch in hand by now: checkDocuments hands out the first ones at once.
    workers.dispose();
    const checks = await spread;
    assert.deepEqual(
      checks.map((check) => check.findings),
      texts.map((document) => checkSafely(document).findings),
    );
    assert.equal(here.count(), texts.length);
    assert.ok(errors.length >= 1);
  });

  it('caches what workers found, so an edit of one document re-checks that one only', async () => {
    const checked: string[] = [];
    const workers = pool();
    const checker = new ManifestChecker(
      (document) => {
        checked.push(document);
        return checkSafely(document).findings;
      },
      undefined,
      workers.checkDocuments,
    );
    const first = await checker.checkSpread('file:///large.yaml', text, 10 * text.length);
    const edited = text.replace(/name: (pod-example-\d+)\n/, 'name: $1b\n');
    checked.length = 0;
    const second = await checker.checkSpread('file:///large.yaml', edited, 10 * text.length);
    assert.equal(checked.length, 1);
    assert.equal(second.length, first.length);
    assert.equal(
      second.filter((document, index) => document.findings === first[index].findings).length,
      first.length - 1,
    );
  });
});
