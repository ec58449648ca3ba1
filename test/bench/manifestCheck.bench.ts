// The manifest server as the editor sees it: the shipped bundle over LSP (stdio, Content-Length
// framing), timed from didOpen to the first publishDiagnostics and from a one-line didChange to
// the next one, on a fresh server and on a warm one; beside the bare `yaml.parseAllDocuments` of
// the same text and yaml-language-server with a strict Kubernetes schema, in the same run. Then
// the server's memory over 1,000 files opened and closed, 20 MB non-Kubernetes files among them.
// Run: npm run bench:manifest. It prints medians and ratios; it never asserts timings.
// BENCH_CPU_PROF=<dir> writes a CPU profile of each manifest server (node --cpu-prof);
// BENCH_SERVER=<path to server.ts> benches another copy of the server (e.g. `git archive` of a
// previous commit) against the same baselines; BENCH_QUICK=1 leaves out yaml-language-server and
// the memory run.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CHECK_DEBOUNCE_MS } from '../../src/manifest/server/checkScheduler';
import { median } from './benchStats';
import { kubernetesSchema } from './kubernetesSchema';
import { LspSession, type PublishedDiagnostics } from './lspSession';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/manifests');
const DOCUMENTS = 2_000;
const RUNS = 7;
const FRESH_RUNS = 5;
const MEMORY_FILES = 1_000;
const LARGE_FILE_BYTES = 20_000_000;
/** yaml-language-server validates this long after a document opens or changes. */
const YAML_LS_DELAY_MS = 200;
const WORK = mkdtempSync(path.join(os.tmpdir(), 'manifest-bench-'));

/** Documents of the fixtures, renamed per copy so that no two documents of the file are equal. */
function manifestFile(documents: number): string {
  const sources = [
    'pod-shared.yaml',
    'pid-one.yaml',
    'secrets.yaml',
    'every-kind.yaml',
    'task-page.yaml',
  ]
    .flatMap((name) => readFileSync(path.join(FIXTURES, name), 'utf8').split(/^---\n/m))
    .filter((document) => /kind:/.test(document));
  const copies: string[] = [];
  for (let i = 0; i < documents; i++) {
    copies.push(sources[i % sources.length].replace(/name: (\S+)/, `name: $1-${i}`));
  }
  return copies.join('---\n');
}

/** A package-lock-like JSON file of about `bytes` characters: many nested objects, no `kind` key. */
function largeJson(bytes: number): string {
  const packages: Record<string, unknown> = {};
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const entry = {
      version: `1.${i % 50}.${i % 7}`,
      resolved: `https://registry.example/pkg-${i}/-/pkg-${i}-1.0.0.tgz`,
      integrity: `sha512-${Buffer.from(String(i * 7919)).toString('base64')}`,
      dependencies: { [`dep-${i % 97}`]: '^2.0.0', [`kind-of-${i % 13}`]: '^6.0.3' },
    };
    packages[`node_modules/pkg-${i}`] = entry;
    size += JSON.stringify(entry).length + 30;
  }
  return JSON.stringify({ name: 'large', lockfileVersion: 3, packages }, null, 2);
}

/** A data YAML file of about `bytes` characters whose records have `kind` keys of their own. */
function largeYaml(bytes: number): string {
  const lines = ['records:'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const record = `  - id: ${i}\n    kind: reading\n    sensor: s-${i % 113}\n    values: [${i % 10}, ${i % 7}, ${i % 3}]\n`;
    lines.push(record);
    size += record.length;
  }
  return lines.join('');
}

async function buildServer(): Promise<string> {
  const outfile = path.join(WORK, 'server.js');
  await esbuild.build({
    entryPoints: [path.resolve(process.env.BENCH_SERVER ?? 'src/manifest/server/server.ts')],
    nodePaths: [path.join(ROOT, 'node_modules')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    logLevel: 'warning',
  });
  return outfile;
}

function manifestServer(serverJs: string, settings: object = {}): Promise<LspSession> {
  const profile = process.env.BENCH_CPU_PROF;
  return LspSession.start({
    args: [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : []),
      serverJs,
      '--stdio',
    ],
    configuration: () => settings,
  });
}

async function yamlLanguageServer(schemaUri: string): Promise<LspSession> {
  const yaml = {
    validate: true,
    hover: false,
    completion: false,
    format: { enable: false },
    schemas: { [schemaUri]: '*.yaml' },
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
  };
  const session = await LspSession.start({
    args: [
      path.join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server'),
      '--stdio',
    ],
    configuration: (section) => (section === 'yaml' ? yaml : {}),
  });
  session.notify('workspace/didChangeConfiguration', { settings: { yaml } });
  return session;
}

let files = 0;
function newUri(extension = 'yaml'): string {
  return pathToFileURL(path.join(WORK, `file-${++files}.${extension}`)).href;
}

/** The URI the next `newUri` returns. */
function nextUri(extension = 'yaml'): string {
  return pathToFileURL(path.join(WORK, `file-${files + 1}.${extension}`)).href;
}

/** didOpen to the first publishDiagnostics of the document, in ms. */
async function timeOpen(
  session: LspSession,
  text: string,
  languageId = 'yaml',
): Promise<{ ms: number; published: PublishedDiagnostics; uri: string }> {
  const uri = newUri(languageId);
  const publishedPromise = session.diagnostics(uri);
  const start = performance.now();
  session.open(uri, text, languageId);
  const published = await publishedPromise;
  return { ms: performance.now() - start, published, uri };
}

/** Replaces `name: <old>` of one document in the middle of the file, as typing there would. */
async function timeEdit(
  session: LspSession,
  uri: string,
  text: string,
  version: number,
): Promise<{ ms: number; serverMs: number; text: string }> {
  const target = `name: nginx-${DOCUMENTS / 2}`;
  const offset = text.indexOf(target) + target.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const character = offset - (before.lastIndexOf('\n') + 1);
  const inserted = `-${version}`;
  const publishedPromise = session.diagnostics(uri, (params) => params.version === version);
  // The server logs each check with its own time, from reading the text to sending the result.
  const logged = session.log((message) => message.startsWith(`Checked ${uri}:`));
  const start = performance.now();
  session.notify('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [
      { range: { start: { line, character }, end: { line, character } }, text: inserted },
    ],
  });
  await publishedPromise;
  const ms = performance.now() - start;
  const serverMs = Number(/in ([\d.]+) ms/.exec(await logged)?.[1]);
  return { ms, serverMs, text: before + inserted + text.slice(offset) };
}

function assertSchemaLoaded(published: PublishedDiagnostics): void {
  const failure = published.diagnostics.find((d) => /Unable to load schema/.test(d.message));
  if (failure) {
    throw new Error(`yaml-language-server did not load the schema: ${failure.message}`);
  }
}

/** Where the run is, on stderr: the whole bench takes minutes. */
function progress(step: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${step}\n`);
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;

async function main(): Promise<void> {
  const text = manifestFile(DOCUMENTS);
  const serverJs = await buildServer();
  const schemaPath = path.join(WORK, 'kubernetes.schema.json');
  writeFileSync(schemaPath, JSON.stringify(await kubernetesSchema()));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `${DOCUMENTS} documents, ${(text.length / 1_000_000).toFixed(2)} MB; medians of ${RUNS} runs (${FRESH_RUNS} for fresh servers)`,
  );

  // A bare parse runs right before each server measurement, so that both see the same load on a
  // shared machine; each ratio is of medians.
  const bareSamples: number[] = [];
  const bareParse = () => {
    const start = performance.now();
    parseAllDocuments(text);
    bareSamples.push(performance.now() - start);
  };
  for (let i = 0; i < 3; i++) {
    parseAllDocuments(text);
  }

  progress('fresh servers');
  const fresh: number[] = [];
  let diagnosticCount = 0;
  for (let run = 0; run < FRESH_RUNS; run++) {
    const session = await manifestServer(serverJs);
    bareParse();
    const opened = await timeOpen(session, text);
    fresh.push(opened.ms);
    diagnosticCount = opened.published.diagnostics.length;
    await session.stop();
  }

  progress('warm server');
  const session = await manifestServer(serverJs);
  for (let i = 0; i < 3; i++) {
    const { uri } = await timeOpen(session, text);
    session.close(uri);
  }
  const warm: number[] = [];
  const warmInServer: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    bareParse();
    const checked = `Checked ${nextUri()}:`;
    const logged = session.log((message) => message.startsWith(checked));
    const { ms: elapsed, uri } = await timeOpen(session, text);
    warm.push(elapsed);
    warmInServer.push(Number(/in ([\d.]+) ms/.exec(await logged)?.[1]));
    session.close(uri);
  }
  const openLogged = `Checked ${nextUri()}:`;
  const openChecked = session.log((message) => message.startsWith(openLogged));
  const { uri: editedUri } = await timeOpen(session, text);
  await openChecked;
  let editedText = text;
  const edits: number[] = [];
  const editsInServer: number[] = [];
  for (let version = 2; version < 2 + 3 + RUNS; version++) {
    const edit = await timeEdit(session, editedUri, editedText, version);
    editedText = edit.text;
    if (version >= 2 + 3) {
      edits.push(edit.ms - CHECK_DEBOUNCE_MS);
      editsInServer.push(edit.serverMs);
    }
  }
  await session.stop();

  const bare = median(bareSamples);
  const freshMedian = median(fresh);
  const warmMedian = median(warm);
  const editMedian = median(edits);
  const editInServerMedian = median(editsInServer);
  const warmInServerMedian = median(warmInServer);
  print(`bare yaml.parseAllDocuments, warm:     ${ms(bare)}`);
  print(
    `didOpen -> diagnostics, fresh server:  ${ms(freshMedian)} (${ratio(freshMedian, bare)} bare parse; ${diagnosticCount} diagnostics)`,
  );
  print(
    `didOpen -> diagnostics, warm server:   ${ms(warmMedian)} (${ratio(warmMedian, bare)} bare parse)`,
  );
  print(
    `one-line didChange -> diagnostics, less the ${CHECK_DEBOUNCE_MS} ms debounce: ${ms(editMedian)} (${((100 * editMedian) / warmMedian).toFixed(1)}% of a warm full check)`,
  );
  print(
    `the same in the server (its log: text read to diagnostics sent): full check ${ms(warmInServerMedian)}, edit ${ms(editInServerMedian)} (${((100 * editInServerMedian) / warmInServerMedian).toFixed(1)}%)`,
  );
  const quick = process.env.BENCH_QUICK === '1';
  if (quick) {
    return;
  }
  progress('yaml-language-server');
  const yamlLs = await yamlLanguageServer(pathToFileURL(schemaPath).href);
  const probe = await timeOpen(
    yamlLs,
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  shareProcessNamepace: true\n  containers: [{name: c, image: busybox}]\n',
  );
  assertSchemaLoaded(probe.published);
  if (!probe.published.diagnostics.some((d) => /shareProcessNamepace/.test(d.message))) {
    throw new Error('yaml-language-server did not apply the schema: a misspelled field passed');
  }
  const yamlLsWarm: number[] = [];
  let yamlLsDiagnostics = 0;
  for (let run = 0; run < 2 + FRESH_RUNS; run++) {
    if (run >= 2) {
      bareParse();
    }
    const opened = await timeOpen(yamlLs, text);
    assertSchemaLoaded(opened.published);
    yamlLsDiagnostics = opened.published.diagnostics.length;
    if (run >= 2) {
      yamlLsWarm.push(opened.ms - YAML_LS_DELAY_MS);
    }
    yamlLs.close(opened.uri);
  }
  await yamlLs.stop();

  const yamlLsMedian = median(yamlLsWarm);
  print(
    `yaml-language-server, strict schema, warm, less its ${YAML_LS_DELAY_MS} ms delay: ${ms(yamlLsMedian)} (${ratio(yamlLsMedian, warmMedian)} this server's warm check; ${yamlLsDiagnostics} diagnostics)`,
  );

  progress(`memory over ${MEMORY_FILES} files`);
  const memory = await memoryRun(serverJs);

  print(
    `memory over ${MEMORY_FILES} files opened and closed (${memory.large} of them ${LARGE_FILE_BYTES / 1_000_000} MB non-Kubernetes JSON/YAML): peak ${memory.peak.toFixed(0)} MB, ${memory.rss.toFixed(0)} MB after all closed; a large file published in ${ms(memory.largeMs)} (median)`,
  );
}

/** Opens and closes files one after another on one server, as a long editing session would. */
async function memoryRun(
  serverJs: string,
): Promise<{ peak: number; rss: number; large: number; largeMs: number }> {
  // The large files are under the size limit here, so they reach the checker itself.
  const session = await manifestServer(serverJs, { maxFileSize: 2 * LARGE_FILE_BYTES });
  const jsonText = largeJson(LARGE_FILE_BYTES);
  const yamlText = largeYaml(LARGE_FILE_BYTES);
  const small = manifestFile(40);
  const largeMs: number[] = [];
  for (let i = 0; i < MEMORY_FILES; i++) {
    const large = i % 100 === 50;
    const json = large && largeMs.length % 2 === 0;
    const fileText = large ? (json ? jsonText : yamlText) : `${small}# ${i}\n`;
    const { ms: elapsed, uri } = await timeOpen(session, fileText, json ? 'json' : 'yaml');
    if (large) {
      largeMs.push(elapsed);
    }
    const closed = session.diagnostics(uri);
    session.close(uri);
    await closed;
  }
  const { peak, rss } = session.memory();
  await session.stop();
  return { peak, rss, large: largeMs.length, largeMs: median(largeMs) };
}

void main();
