// Prints how long a full check of a 2,000-document manifest file takes compared with bare
// parsing of the same text, and how long a re-check after editing one document takes.
// Run: npx tsx test/bench/manifestCheck.bench.ts. It prints; it never asserts timings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseAllDocuments } from 'yaml';
import { toDiagnostics } from '../../src/manifest/server/diagnostics';
import { ManifestChecker } from '../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../src/manifest/server/settings';

const DOCUMENTS = 2_000;
const RUNS = 7;
const FIXTURES = path.resolve(__dirname, '../fixtures/manifests');

/** Documents of the fixtures, renamed per copy so that no two documents of the file are equal. */
function manifestFile(): string {
  const sources = [
    'pod-shared.yaml',
    'pid-one.yaml',
    'secrets.yaml',
    'every-kind.yaml',
    'task-page.yaml',
  ]
    .flatMap((name) => readFileSync(path.join(FIXTURES, name), 'utf8').split(/^---\n/m))
    .filter((document) => /kind:/.test(document));
  const documents: string[] = [];
  for (let i = 0; i < DOCUMENTS; i++) {
    documents.push(sources[i % sources.length].replace(/name: (\S+)/, `name: $1-${i}`));
  }
  return documents.join('---\n');
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function fullCheck(text: string): number {
  const document = TextDocument.create('file:///bench.yaml', 'yaml', 1, text);
  const placed = new ManifestChecker().findings(document.uri, text, DEFAULT_SETTINGS.maxFileSize);
  return toDiagnostics(document, placed, DEFAULT_SETTINGS).length;
}

const text = manifestFile();
// Warm up the JIT for both paths before measuring.
parseAllDocuments(text);
const diagnosticCount = fullCheck(text);

const baseline = median(Array.from({ length: RUNS }, () => time(() => parseAllDocuments(text))));
const full = median(Array.from({ length: RUNS }, () => time(() => fullCheck(text))));

const incremental = median(
  Array.from({ length: RUNS }, (_, run) => {
    const checker = new ManifestChecker();
    checker.findings('file:///bench.yaml', text, DEFAULT_SETTINGS.maxFileSize);
    const edited = text.replace('name: nginx-0', `name: nginx-edited-${run}`);
    return time(() => {
      const document = TextDocument.create('file:///bench.yaml', 'yaml', 2, edited);
      const placed = checker.findings(document.uri, edited, DEFAULT_SETTINGS.maxFileSize);
      toDiagnostics(document, placed, DEFAULT_SETTINGS);
    });
  }),
);

const megabytes = (text.length / 1_000_000).toFixed(2);
console.log(
  `${DOCUMENTS} documents, ${megabytes} MB, ${diagnosticCount} diagnostics; median of ${RUNS} runs`,
);
console.log(`baseline yaml.parseAllDocuments: ${baseline.toFixed(1)} ms`);
console.log(
  `full check:                      ${full.toFixed(1)} ms (${(full / baseline).toFixed(2)}x baseline)`,
);
console.log(
  `re-check after editing one doc:  ${incremental.toFixed(1)} ms (${(incremental / baseline).toFixed(2)}x baseline)`,
);
