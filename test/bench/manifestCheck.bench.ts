// The manifest server as the editor sees it: the shipped bundle over LSP (stdio, Content-Length
// framing, the Node options the client passes), timed from didOpen to the first
// publishDiagnostics and from a one-line didChange to the next one, on fresh servers and on a warm
// one; beside the bare `yaml.parseAllDocuments` of the same text and yaml-language-server with a
// strict Kubernetes schema. The warm measurements run in interleaved rounds (bare parse, our open,
// our edit, yaml-language-server's open), so that each ratio compares samples taken seconds apart
// on a shared machine. Then the server's memory over 1,000 files opened and closed, 20 MB
// non-Kubernetes files and 2,000-document manifests (checked on the server's workers) among them.
// Run: npm run bench:manifest. It prints medians, ranges and per-round ratios; it never asserts
// timings. BENCH_CPU_PROF=<dir> writes a CPU profile of each manifest server (node --cpu-prof);
// BENCH_SERVER=<path to server.ts> benches another copy of the server (e.g. `git archive` of a
// previous commit) against the same baselines; BENCH_QUICK=1 leaves out yaml-language-server and
// the memory run.
import * as esbuild from 'esbuild';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { MANIFEST_SERVER_EXEC_ARGV } from '../../src/manifest/manifestProtocol';
import { CHECK_DEBOUNCE_MS } from '../../src/manifest/server/checkScheduler';
import { median } from './benchStats';
import { kubernetesSchema } from './kubernetesSchema';
import { LspSession, type PublishedDiagnostics } from './lspSession';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/manifests');
const DOCUMENTS = 2_000;
const ROUNDS = 11;
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

/** The server and, beside it as in dist/, its check worker (when that copy has one). */
async function buildServer(): Promise<string> {
  const entry = path.resolve(process.env.BENCH_SERVER ?? 'src/manifest/server/server.ts');
  const worker = path.join(path.dirname(entry), 'checkWorker.ts');
  if (existsSync(worker)) {
    await bundle(worker);
  }
  return bundle(entry);
}

/** `entry` bundled as the extension bundles the server. */
async function bundle(entry: string): Promise<string> {
  const outfile = path.join(WORK, `${path.basename(entry, '.ts')}.js`);
  await esbuild.build({
    entryPoints: [entry],
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
      ...MANIFEST_SERVER_EXEC_ARGV,
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

/** Median and range of a series, formatted by `format`. */
function spread(samples: readonly number[], format: (value: number) => string): string {
  return `${format(median(samples))} (${format(Math.min(...samples))}–${format(Math.max(...samples))})`;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `${value.toFixed(2)}x`;
const percent = (value: number) => `${value.toFixed(1)}%`;
/** Per-round ratios: each sample against the baseline measured in the same round. */
const ratios = (samples: readonly number[], baselines: readonly number[]) =>
  samples.map((sample, index) => sample / baselines[index]);

async function main(): Promise<void> {
  const text = manifestFile(DOCUMENTS);
  const serverJs = await buildServer();
  const schemaPath = path.join(WORK, 'kubernetes.schema.json');
  writeFileSync(schemaPath, JSON.stringify(await kubernetesSchema()));
  const quick = process.env.BENCH_QUICK === '1';
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `${DOCUMENTS} documents, ${(text.length / 1_000_000).toFixed(2)} MB; ${ROUNDS} interleaved rounds (${FRESH_RUNS} fresh servers); medians, (ranges), ratios per round`,
  );
  // The baseline parses in a process of its own, with Node's defaults; the same parse with the
  // server's Node options is printed beside it, so that any effect of the options shows.
  const bareParsing = await bareParser(text, []);
  const bareWithServerOptions = await bareParser(text, MANIFEST_SERVER_EXEC_ARGV);

  progress('fresh servers');
  const fresh: number[] = [];
  const freshBare: number[] = [];
  let diagnosticCount = 0;
  for (let run = 0; run < FRESH_RUNS; run++) {
    const session = await manifestServer(serverJs);
    freshBare.push(await bareParsing.parse());
    const opened = await timeOpen(session, text);
    fresh.push(opened.ms);
    diagnosticCount = opened.published.diagnostics.length;
    await session.stop();
  }

  progress('warm servers');
  const session = await manifestServer(serverJs);
  for (let i = 0; i < 3; i++) {
    const { uri } = await timeOpen(session, text);
    session.close(uri);
  }
  const yamlLs = quick ? undefined : await warmYamlLanguageServer(schemaPath, text);
  // The document the edits go to stays open beside the ones opened and closed each round.
  const { uri: editedUri } = await timeOpen(session, text);
  let editedText = text;
  let version = 2;
  for (; version < 5; version++) {
    editedText = (await timeEdit(session, editedUri, editedText, version)).text;
  }
  const bare: number[] = [];
  const bareServerOptions: number[] = [];
  const warm: number[] = [];
  const warmInServer: number[] = [];
  const warmDecode: number[] = [];
  const edits: number[] = [];
  const editsInServer: number[] = [];
  const editDecode: number[] = [];
  const yamlLsWarm: number[] = [];
  let yamlLsDiagnostics = 0;
  // Each round measures everything once, so that every series sees the same load on a shared
  // machine and each ratio compares samples taken seconds apart. What runs first in a round runs
  // while the last round's work may still be winding down (collectors are concurrent), so the
  // bare parse and this server's check swap places every other round.
  const warmOpen = async () => {
    const checked = `Checked ${nextUri()}:`;
    const logged = session.log((message) => message.startsWith(checked));
    const opened = await timeOpen(session, text);
    warm.push(opened.ms);
    warmDecode.push(session.lastPublished.decodeMs);
    warmInServer.push(Number(/in ([\d.]+) ms/.exec(await logged)?.[1]));
    session.close(opened.uri);
  };
  const bareOpen = async () => {
    bare.push(await bareParsing.parse());
  };
  for (let round = 0; round < ROUNDS; round++) {
    progress(`round ${round + 1} of ${ROUNDS}`);
    await session.settled();
    await yamlLs?.settled();
    for (const measure of round % 2 === 0 ? [bareOpen, warmOpen] : [warmOpen, bareOpen]) {
      await measure();
    }
    const edit = await timeEdit(session, editedUri, editedText, version++);
    editedText = edit.text;
    edits.push(edit.ms - CHECK_DEBOUNCE_MS);
    editsInServer.push(edit.serverMs);
    editDecode.push(session.lastPublished.decodeMs);
    bareServerOptions.push(await bareWithServerOptions.parse());
    if (yamlLs) {
      const other = await timeOpen(yamlLs, text);
      assertSchemaLoaded(other.published);
      yamlLsDiagnostics = other.published.diagnostics.length;
      yamlLsWarm.push(other.ms - YAML_LS_DELAY_MS);
      yamlLs.close(other.uri);
    }
  }
  const publishedMb = session.lastPublished.bytes / 1_000_000;
  await session.stop();
  await yamlLs?.stop();
  bareParsing.stop();
  bareWithServerOptions.stop();

  print(
    `bare yaml.parseAllDocuments, warm, a process of its own: ${spread(bare, ms)}; with the server's Node options: ${spread(bareServerOptions, ms)}`,
  );
  print(
    `didOpen -> diagnostics, fresh server: ${spread(fresh, ms)}; ${spread(ratios(fresh, freshBare), times)} bare parse; ${diagnosticCount} diagnostics, ${publishedMb.toFixed(2)} MB`,
  );
  print(
    `didOpen -> diagnostics, warm server: ${spread(warm, ms)}; ${spread(ratios(warm, bare), times)} bare parse`,
  );
  print(
    `  in the server (its log: text read to diagnostics sent): ${spread(warmInServer, ms)}; the client decoding the list: ${spread(warmDecode, ms)}`,
  );
  print(
    `one-line didChange -> diagnostics, less the ${CHECK_DEBOUNCE_MS} ms debounce: ${spread(edits, ms)}; ${spread(
      ratios(edits, warm).map((value) => 100 * value),
      percent,
    )} of the warm full check`,
  );
  print(
    `  in the server: ${spread(editsInServer, ms)}; ${spread(
      ratios(editsInServer, warmInServer).map((value) => 100 * value),
      percent,
    )} of its full check; the client decoding the list: ${spread(editDecode, ms)}`,
  );
  if (!yamlLs) {
    return;
  }
  print(
    `yaml-language-server, strict schema, warm, less its ${YAML_LS_DELAY_MS} ms delay: ${spread(yamlLsWarm, ms)}; ${spread(ratios(yamlLsWarm, warm), times)} this server's warm check; ${yamlLsDiagnostics} diagnostics`,
  );

  progress(`memory over ${MEMORY_FILES} files`);
  const memory = await memoryRun(serverJs);

  print(
    `memory over ${MEMORY_FILES} files opened and closed (${memory.large} of them ${LARGE_FILE_BYTES / 1_000_000} MB non-Kubernetes JSON/YAML, ${memory.manifests} of ${DOCUMENTS} documents): peak ${memory.peak.toFixed(0)} MB, ${memory.rss.toFixed(0)} MB after all closed; a large file published in ${spread(memory.largeMs, ms)}`,
  );
}

/**
 * A bare parse of `text` in a process of its own, started with `execArgv`: each call times one
 * `parseAllDocuments` there.
 */
async function bareParser(
  text: string,
  execArgv: readonly string[],
): Promise<{ parse(): Promise<number>; stop(): void }> {
  const textPath = path.join(WORK, 'bare.yaml');
  writeFileSync(textPath, text);
  const child = fork(await bundle(path.join(__dirname, 'bareParseWorker.ts')), [textPath], {
    execArgv: [...execArgv],
  });
  const next = () =>
    new Promise<unknown>((resolve) => child.once('message', (message) => resolve(message)));
  await next();
  const parse = async () => {
    const answer = next();
    child.send('parse');
    return Number(await answer);
  };
  for (let i = 0; i < 3; i++) {
    await parse();
  }
  return { parse, stop: () => child.kill() };
}

/** yaml-language-server with the schema, checked to apply it, and warmed on the file. */
async function warmYamlLanguageServer(schemaPath: string, text: string): Promise<LspSession> {
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
  for (let i = 0; i < 2; i++) {
    const opened = await timeOpen(yamlLs, text);
    assertSchemaLoaded(opened.published);
    yamlLs.close(opened.uri);
  }
  return yamlLs;
}

/** Opens and closes files one after another on one server, as a long editing session would. */
async function memoryRun(
  serverJs: string,
): Promise<{ peak: number; rss: number; large: number; manifests: number; largeMs: number[] }> {
  // The large files are under the size limit here, so they reach the checker itself.
  const session = await manifestServer(serverJs, { maxFileSize: 2 * LARGE_FILE_BYTES });
  const jsonText = largeJson(LARGE_FILE_BYTES);
  const yamlText = largeYaml(LARGE_FILE_BYTES);
  const manifests = manifestFile(DOCUMENTS);
  const small = manifestFile(40);
  const largeMs: number[] = [];
  let manifestCount = 0;
  for (let i = 0; i < MEMORY_FILES; i++) {
    const large = i % 100 === 50;
    const json = large && largeMs.length % 2 === 0;
    const manifest = i % 100 === 25;
    manifestCount += manifest ? 1 : 0;
    const fileText = large
      ? json
        ? jsonText
        : yamlText
      : manifest
        ? `${manifests}# ${i}\n`
        : `${small}# ${i}\n`;
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
  return { peak, rss, large: largeMs.length, manifests: manifestCount, largeMs };
}

void main();
