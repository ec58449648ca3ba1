// Prints what activating the extension on a YAML file costs in the real editor, next to what
// VS Code's own JSON Language Features (which also starts a language server) costs in the same
// host run. The production build (`node esbuild.mjs --production`, run in a snapshot of the repo so
// that builds running at the same time cannot swap dist/ under the measurement) is loaded as the
// development extension of code-server; N fresh launches (fresh user-data dir, server, extension
// host), each opening a YAML file (our extension activates) and then a JSON file (JSON Language
// Features activates). Read per launch:
// - "Activation: N ms" of both rows of Developer: Show Running Extensions (what the issue quotes:
//   code loading + the synchronous activate() call);
// - from the extension host, over its inspector (the payload's `inspect-extensions`): the same
//   numbers split (ActivationTimes: code loading, activate() call, until its promise resolved), the
//   time require() of the main module took (its perf marks), and the modules it has loaded, to
//   tell whether dist/cluster.js (@kubernetes/client-node) was loaded;
// - whether the Pod Processes view was expanded (it would load the cluster layer).
// Medians over the launches, and the ratio ours/json. It prints; it never asserts timings.
// VS Code itself opens a JSON model at startup (the chat service's chatLanguageModels.json), which
// fires onLanguage:json: an extension activated by it is queued behind four others, and Running
// Extensions counts that wait as its code loading (this is why the extension activates on YAML
// only; `--what-if json-activation` measures the alternative). The activation event of each
// launch is read from the extension host log and printed; "own cost" (require of main + the
// activate() call) is the part that does not depend on the queue.
// Run: node scripts/withTestNode.mjs tsx test/bench/activation.bench.ts [--launches N]
//      [--no-inspect] (Running Extensions only, no inspector in the extension host)
//      [--extension DIR] (measure an extension folder as it is instead of building one)
//      [--what-if NAME[+NAME]]… (repeatable; also measure, interleaved, a snapshot with a source
//      change: no-language-client = extension.ts neither loads nor starts the manifest language
//      client; json-activation = package.json with onLanguage:json as well. The repo is never
//      edited.)
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import {
  ensureCodeServer,
  freeLoopbackPort,
  launchChromium,
  startCodeServer,
  workbenchUrl,
  CODE_SERVER_VERSION,
  type CodeServerProcess,
} from '../host/codeServer';
import { median } from './benchStats';

const ROOT = resolve(__dirname, '../..');
const FOLDER = join(ROOT, 'test', 'fixtures', 'manifests');
const YAML_FILE = 'pod-shared.yaml';
const JSON_FILE = 'deployment.json';
const OURS = 'pod-process-explorer.pod-process-explorer';
const JSON_EXTENSION = 'vscode.json-language-features';
/** Running Extensions names a row by display name when it knows the extension, else by ID. */
const ROW_NAMES: Record<string, string[]> = {
  [OURS]: [OURS, 'Pod Process Explorer'],
  [JSON_EXTENSION]: [JSON_EXTENSION, 'JSON Language Features'],
};
/** The end of JSON Language Features' main module path in the extension host. */
const JSON_MAIN = '/json-language-features/client/dist/node/jsonClientMain.js';
/** What the snapshot build needs from the repo (node_modules is linked, not copied). */
const BUILD_INPUTS = ['src', 'esbuild.mjs', 'package.json', 'tsconfig.json'];
/** What the VSIX ships besides dist/ (.vscodeignore), so the snapshot loads like the package. */
const PACKAGE_FILES = ['package.json', 'l10n', 'media', 'syntaxes', 'README.md', 'LICENSE'];

function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const LAUNCHES = numberArg('--launches', 5);
function stringArg(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const GIVEN_EXTENSION = stringArg('--extension');
const INSPECT = !process.argv.includes('--no-inspect');

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** One extension's numbers from one launch. */
interface ExtensionSample {
  /** Running Extensions' "Activation: N ms" (code loading + activate() call). */
  activationMs: number;
  /** The activation event, from the extension host's log. */
  event?: string;
  /** The other extensions activated by the same event at the same moment, queued with it. */
  batch?: string[];
  /** When it was activated, in ms after the YAML file was opened (negative: before). */
  afterYamlMs?: number;
  /** The extension host's ActivationTimes (Running Extensions shows the first two summed). */
  times?: ActivationTimes;
  /** From its perf marks: require() of the main module alone (part of codeLoadingTime). */
  requireMs?: number;
}

interface LaunchSample {
  ours: ExtensionSample;
  json: ExtensionSample;
  /** Loaded modules of the extension host under our dist/; undefined without the inspector. */
  ourModules?: string[];
  /** Whether the Pod Processes view's section was expanded after the YAML file was opened. */
  podViewExpanded: boolean;
}

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
  await page.waitForSelector(`.tab[data-resource-name="${name}"]`);
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** The Running Extensions row of one extension: "Activation: N ms" and its title, once activated. */
async function runningExtension(page: Page, id: string): Promise<ExtensionSample> {
  const names = (ROW_NAMES[id] ?? [id]).map((name) => name.replace(/\./g, '\\.')).join('|');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', {
    has: page.locator('.name', { hasText: new RegExp(`^(${names})$`, 'i') }),
  });
  const time = row.locator('.activation-time');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text =
      (await time.textContent({ timeout: 30_000 }).catch(async (error: unknown) => {
        const rows = await page
          .locator('.runtime-extensions-editor .monaco-list-row')
          .allInnerTexts();
        log(`Running Extensions rows:\n${rows.join('\n--\n')}`);
        throw error;
      })) ?? '';
    const match = /Activation: (\d+)ms/.exec(text);
    if (match) {
      return { activationMs: Number(match[1]) };
    }
    if (Date.now() > deadline) {
      throw new Error(`${id} did not activate: "${text}"`);
    }
    await page.waitForTimeout(250);
  }
}

interface Mark {
  name: string;
  startTime: number;
}

/** The extension host's own record of one activation (its ActivationTimes object). */
interface ActivationTimes {
  codeLoadingTime: number;
  activateCallTime: number;
  activateResolvedTime: number;
}

interface HostState {
  marks: Mark[];
  modules: string[];
  /** By the path of the extension's main module. */
  activationTimes: Record<string, ActivationTimes>;
}

/** A minimal Chrome DevTools Protocol client on one WebSocket. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (message: CdpMessage) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as CdpMessage;
      if (message.id !== undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/json/list`);
        const targets = (await response.json()) as { webSocketDebuggerUrl?: string }[];
        const url = targets[0]?.webSocketDebuggerUrl;
        if (url) {
          const socket = new WebSocket(url);
          await new Promise<void>((done, fail) => {
            socket.once('open', () => done());
            socket.once('error', fail);
          });
          return new Inspector(socket);
        }
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`no inspector on port ${port}`);
      }
      await new Promise((done) => setTimeout(done, 250));
    }
  }

  async send(method: string, params: object): Promise<CdpResult> {
    const id = this.nextId++;
    const reply = new Promise<CdpMessage>((done) => this.pending.set(id, done));
    this.socket.send(JSON.stringify({ id, method, params }));
    const message = await reply;
    if (message.error || message.result?.exceptionDetails) {
      throw new Error(`${method} failed in the extension host: ${JSON.stringify(message)}`);
    }
    return message.result ?? {};
  }

  close(): void {
    this.socket.close();
  }
}

interface CdpResult {
  result?: { value?: unknown; objectId?: string };
  objects?: { objectId?: string };
  exceptionDetails?: unknown;
}

interface CdpMessage {
  id?: number;
  result?: CdpResult;
  error?: unknown;
}

/**
 * Reads, from the extension host over its inspector: its performance marks, its loaded CommonJS
 * modules, and each activated extension's ActivationTimes (the numbers Running Extensions sums),
 * found among the host's objects as the `activationTimes` of an object whose `module` is the
 * exports of a loaded main module.
 */
async function readExtensionHost(inspectPort: number): Promise<HostState> {
  const inspector = await Inspector.connect(inspectPort);
  try {
    const state = await inspector.send('Runtime.evaluate', {
      expression: `JSON.stringify({
        marks: globalThis.MonacoPerformanceMarks.getMarks()
          .filter((mark) => mark.name.startsWith('code/extHost/')),
        modules: Object.keys(process.getBuiltinModule('module')._cache),
      })`,
      returnByValue: true,
    });
    const { marks, modules } = JSON.parse(String(state.result?.value)) as HostState;
    const prototype = await inspector.send('Runtime.evaluate', { expression: 'Object.prototype' });
    const objects = await inspector.send('Runtime.queryObjects', {
      prototypeObjectId: prototype.result?.objectId,
    });
    const times = await inspector.send('Runtime.callFunctionOn', {
      objectId: objects.objects?.objectId,
      functionDeclaration: `function () {
        const cache = process.getBuiltinModule('module')._cache;
        const byExports = new Map();
        for (const [file, module] of Object.entries(cache)) {
          byExports.set(module.exports, file);
        }
        const found = {};
        for (const object of this) {
          const times = object && object.activationTimes;
          if (times && typeof times.codeLoadingTime === 'number' && byExports.has(object.module)) {
            const { codeLoadingTime, activateCallTime, activateResolvedTime } = times;
            found[byExports.get(object.module)] = { codeLoadingTime, activateCallTime, activateResolvedTime };
          }
        }
        return JSON.stringify(found);
      }`,
      returnByValue: true,
    });
    const activationTimes = JSON.parse(String(times.result?.value)) as HostState['activationTimes'];
    return { marks, modules, activationTimes };
  } finally {
    inspector.close();
  }
}

function markSpan(marks: readonly Mark[], id: string): number | undefined {
  const at = (name: string) => marks.find((mark) => mark.name === name)?.startTime;
  const start = at(`code/extHost/willLoadExtensionCode/${id}`);
  const end = at(`code/extHost/didLoadExtensionCode/${id}`);
  return start === undefined || end === undefined ? undefined : end - start;
}

interface Activation {
  /** ms since the epoch, as the log has it (ms resolution, local time). */
  at: number;
  id: string;
  event: string;
}

/** Every `_doActivateExtension` line of the extension host logs of a user-data dir. */
function readActivations(userData: string): Activation[] {
  const line =
    /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \[info\] ExtensionService#_doActivateExtension (\S+), startup: \w+, activationEvent: '([^']*)'/gm;
  const activations: Activation[] = [];
  const logs = join(userData, 'logs');
  for (const session of existsSync(logs) ? readdirSync(logs) : []) {
    for (const host of readdirSync(join(logs, session)).filter((name) =>
      name.startsWith('exthost'),
    )) {
      for (const file of readdirSync(join(logs, session, host)).filter((name) =>
        name.endsWith('.log'),
      )) {
        const text = readFileSync(join(logs, session, host, file), 'utf8');
        for (const match of text.matchAll(line)) {
          activations.push({
            at: Date.parse(match[1].replace(' ', 'T')),
            id: match[2],
            event: match[3],
          });
        }
      }
    }
  }
  return activations;
}

/** How an extension was activated, and which others the same event activated with it. */
function activationEvent(
  activations: readonly Activation[],
  id: string,
  yamlOpenedAt: number,
): Pick<ExtensionSample, 'event' | 'batch' | 'afterYamlMs'> {
  const own = activations.find((activation) => activation.id === id);
  if (!own) {
    return {};
  }
  const batch = activations
    .filter(
      (other) => other.id !== id && other.event === own.event && Math.abs(other.at - own.at) <= 50,
    )
    .map((other) => other.id);
  return { event: own.event, batch, afterYamlMs: own.at - yamlOpenedAt };
}

/** The workbench URL of codeServer.ts plus the payload entry that opens the host's inspector. */
function launchUrl(
  server: CodeServerProcess,
  extension: string,
  inspectPort: number | undefined,
): string {
  const url = new URL(
    workbenchUrl(server, { extensionDevelopmentPath: extension, folder: FOLDER }),
  );
  if (inspectPort !== undefined) {
    const payload = JSON.parse(url.searchParams.get('payload') ?? '[]') as string[][];
    payload.push(['inspect-extensions', String(inspectPort)]);
    url.searchParams.set('payload', JSON.stringify(payload));
  }
  return url.toString();
}

async function launch(
  bin: string,
  browser: Browser,
  extension: string,
  index: number,
): Promise<LaunchSample> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-bench-activation-'));
  const userData = join(scratch, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'workbench.startupEditor': 'none',
    }),
  );
  const output: string[] = [];
  const server = await startCodeServer({
    bin,
    port: await freeLoopbackPort(),
    userDataDir: userData,
    extensionsDir: join(scratch, 'extensions'),
    smokeTestDriver: true,
    // No cluster: opening a manifest must not need one.
    env: { KUBECONFIG: join(scratch, 'no-kubeconfig') },
    onOutput: (chunk) => output.push(chunk),
  });
  // Tall, so the Running Extensions list renders every row.
  const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
  try {
    const inspectPort = INSPECT ? await freeLoopbackPort() : undefined;
    const page = await context.newPage();
    await page.goto(launchUrl(server, extension, inspectPort));
    await page.waitForSelector('.monaco-workbench');
    // Let the workbench and the extension host settle, so opening the file is all that happens.
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await page.waitForTimeout(3000);

    const yamlOpenedAt = Date.now();
    await openFile(page, YAML_FILE);
    // Activated (the host logs it), and, with a language server, the file checked (a squiggle).
    const deadline = Date.now() + 60_000;
    while (!readActivations(userData).some((activation) => activation.id === OURS)) {
      if (Date.now() > deadline) {
        throw new Error('our extension did not activate within 60 s of opening the YAML file');
      }
      await page.waitForTimeout(250);
    }
    await page
      .waitForSelector('.squiggly-error, .squiggly-warning, .squiggly-info', { timeout: 10_000 })
      .catch(() => undefined);
    const podViewExpanded =
      (await page
        .locator('.pane-header', { hasText: 'Pod Processes' })
        .first()
        .getAttribute('aria-expanded', { timeout: 5_000 })
        .catch(() => null)) === 'true';
    await page.waitForTimeout(1000);
    await openFile(page, JSON_FILE);
    await page.waitForTimeout(2000);
    await runCommand(page, 'Developer: Show Running Extensions');
    await page.waitForSelector('.runtime-extensions-editor .monaco-list-row');
    const ours = await runningExtension(page, OURS);
    const json = await runningExtension(page, JSON_EXTENSION);
    const sample: LaunchSample = { ours, json, podViewExpanded };
    const activations = readActivations(userData);
    Object.assign(ours, activationEvent(activations, OURS, yamlOpenedAt));
    Object.assign(json, activationEvent(activations, JSON_EXTENSION, yamlOpenedAt));
    if (inspectPort !== undefined) {
      const host = await readExtensionHost(inspectPort);
      const dist = `${join(extension, 'dist')}/`;
      for (const [file, times] of Object.entries(host.activationTimes)) {
        if (file === join(dist, 'extension.js')) {
          ours.times = times;
        } else if (file.endsWith(JSON_MAIN)) {
          json.times = times;
        }
      }
      ours.requireMs = markSpan(host.marks, OURS);
      json.requireMs = markSpan(host.marks, JSON_EXTENSION);
      sample.ourModules = host.modules
        .filter((file) => file.startsWith(dist))
        .map((file) => file.slice(dist.length));
    }
    const describe = (name: string, { activationMs, times, requireMs, event }: ExtensionSample) =>
      `${name} ${activationMs} ms on ${event ?? '?'}` +
      (times
        ? ` (code loading ${times.codeLoadingTime} [require ${requireMs ?? '?'}], activate() ${times.activateCallTime}, resolved ${times.activateResolvedTime})`
        : '');
    log(
      `launch ${index + 1}: ${describe('ours', ours)}; ${describe('json', json)}; ` +
        `our dist modules loaded: ${sample.ourModules?.join(' ') ?? '?'}; Pod Processes expanded: ${podViewExpanded}`,
    );
    return sample;
  } catch (error) {
    log(output.join('').slice(-4000));
    throw error;
  } finally {
    await context.close();
    server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The bundles a production build wrote (what the VSIX ships of dist/). */
function bundles(dist: string): string[] {
  return readdirSync(dist)
    .filter((name) => name.endsWith('.js'))
    .sort();
}

/** A source change tried in the snapshot only (never in the repo), to measure a suggestion. */
interface WhatIf {
  readonly name: string;
  readonly file: string;
  readonly edits: readonly [RegExp, string][];
}

const WHAT_IFS: readonly WhatIf[] = [
  {
    // The manifest language client neither loaded nor started, even with a YAML file open.
    name: 'no-language-client',
    file: 'src/extension.ts',
    edits: [
      [/^import \* as manifestActivation from '\.\/manifest\/manifestActivation';\n/m, ''],
      [/^\s*manifestActivation\.register\(context, deps\);\n/m, ''],
    ],
  },
  {
    // Activated by onLanguage:json too, which VS Code fires at startup for its own JSON files.
    name: 'json-activation',
    file: 'package.json',
    edits: [[/"onLanguage:yaml"/, '"onLanguage:yaml", "onLanguage:json"']],
  },
];

/** The what-ifs named on the command line: `--what-if A` or `--what-if A+B` (both at once). */
function whatIfArgs(): WhatIf[][] {
  const combinations: WhatIf[][] = [];
  process.argv.forEach((arg, index) => {
    if (arg === '--what-if') {
      combinations.push(
        (process.argv[index + 1] ?? '').split('+').map((name) => {
          const whatIf = WHAT_IFS.find((candidate) => candidate.name === name);
          if (!whatIf) {
            throw new Error(
              `unknown what-if "${name}"; known: ${WHAT_IFS.map((w) => w.name).join(', ')}`,
            );
          }
          return whatIf;
        }),
      );
    }
  });
  return combinations;
}

/**
 * Builds the production bundles in a snapshot of the repo (src/, package.json and the build script
 * copied, node_modules linked; `whatIfs` edit the copies) and lays out the files the VSIX ships;
 * returns that extension folder.
 */
function buildSnapshot(scratch: string, whatIfs: readonly WhatIf[] = []): string {
  const label = whatIfs.map((whatIf) => whatIf.name).join('+') || 'as-is';
  const build = join(scratch, `build-${label}`);
  const extension = join(scratch, `extension-${label}`);
  mkdirSync(build);
  mkdirSync(extension);
  for (const name of BUILD_INPUTS) {
    cpSync(join(ROOT, name), join(build, name), { recursive: true });
  }
  for (const whatIf of whatIfs) {
    const file = join(build, whatIf.file);
    let text = readFileSync(file, 'utf8');
    for (const [pattern, replacement] of whatIf.edits) {
      if (!pattern.test(text)) {
        throw new Error(`what-if ${whatIf.name}: ${String(pattern)} not found in ${whatIf.file}`);
      }
      text = text.replace(pattern, replacement);
    }
    writeFileSync(file, text);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'));
  log(`building the production bundles (node esbuild.mjs --production) in a snapshot (${label})…`);
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: build, stdio: 'inherit' });
  mkdirSync(join(extension, 'dist'));
  for (const name of bundles(join(build, 'dist'))) {
    cpSync(join(build, 'dist', name), join(extension, 'dist', name));
  }
  const files = [
    ...PACKAGE_FILES,
    ...readdirSync(ROOT).filter((name) => /^package\.nls.*\.json$/.test(name)),
  ];
  for (const name of files) {
    // The snapshot's copy where there is one (package.json, maybe edited), else the repo's.
    const source = existsSync(join(build, name)) ? join(build, name) : join(ROOT, name);
    if (existsSync(source)) {
      cpSync(source, join(extension, name), { recursive: true });
    }
  }
  return extension;
}

interface Variant {
  readonly name: string;
  readonly extension: string;
  readonly samples: LaunchSample[];
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-bench-activation-build-'));
  try {
    const variants: Variant[] = [
      {
        name: GIVEN_EXTENSION ?? 'as is',
        extension: GIVEN_EXTENSION ? resolve(GIVEN_EXTENSION) : buildSnapshot(scratch),
        samples: [],
      },
    ];
    for (const whatIfs of whatIfArgs()) {
      const name = whatIfs.map((whatIf) => whatIf.name).join('+');
      variants.push({
        name: `what-if ${name}`,
        extension: buildSnapshot(scratch, whatIfs),
        samples: [],
      });
    }
    const bin = await ensureCodeServer(log);
    const browser = await launchChromium();
    try {
      // Interleaved, the order rotating, so that drift on a shared machine hits every variant.
      for (let i = 0; i < LAUNCHES; i++) {
        for (let j = 0; j < variants.length; j++) {
          const variant = variants[(i + j) % variants.length];
          log(`[${variant.name}]`);
          variant.samples.push(await launch(bin, browser, variant.extension, i));
        }
      }
    } finally {
      await browser.close();
    }
    for (const variant of variants) {
      const sizes = bundles(join(variant.extension, 'dist')).map((name) => {
        const file = join(variant.extension, 'dist', name);
        return `dist/${name} ${existsSync(file) ? statSync(file).size.toLocaleString('en') : '?'} B`;
      });
      console.log(`\n== ${variant.name}`);
      report(variant.samples, sizes);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Own synchronous work on the extension host thread: require() of main + the activate() call. */
function ownCost(sample: ExtensionSample): number | undefined {
  return sample.requireMs === undefined || sample.times === undefined
    ? undefined
    : sample.requireMs + sample.times.activateCallTime;
}

function statsTable(samples: readonly LaunchSample[]): string {
  const med = (values: (number | undefined)[]): number | undefined => {
    const known = values.filter((value): value is number => value !== undefined);
    return known.length ? median(known) : undefined;
  };
  const ms = (value: number | undefined) => (value === undefined ? '?' : value.toFixed(0));
  const rows: string[][] = [['median ms', 'ours', 'json', 'ours/json']];
  const add = (label: string, pick: (extension: ExtensionSample) => number | undefined) => {
    const ours = med(samples.map((sample) => pick(sample.ours)));
    const json = med(samples.map((sample) => pick(sample.json)));
    const ratio = ours === undefined || json === undefined ? '?' : (ours / json).toFixed(2);
    rows.push([label, ms(ours), ms(json), ratio]);
  };
  add('Running Extensions "Activation"', (e) => e.activationMs);
  if (INSPECT) {
    add('= code loading', (e) => e.times?.codeLoadingTime);
    add('    require() of main', (e) => e.requireMs);
    add('    waiting (others queued ahead)', (e) =>
      e.times && e.requireMs !== undefined ? e.times.codeLoadingTime - e.requireMs : undefined,
    );
    add('+ activate() call (sync)', (e) => e.times?.activateCallTime);
    add('own cost: require + activate()', ownCost);
    add('(activate() promise resolved after)', (e) => e.times?.activateResolvedTime);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
        )
        .join('  '),
    )
    .join('\n');
}

function report(samples: readonly LaunchSample[], sizes: readonly string[]): void {
  console.log(
    `Activation (production build in code-server ${CODE_SERVER_VERSION}), ${samples.length} fresh launches: open ${YAML_FILE}, then ${JSON_FILE}`,
  );
  console.log(`bundles: ${sizes.join(', ')}`);
  console.log(
    'per launch, Running Extensions ms (activation event, when, queued with):\n' +
      samples
        .map(({ ours, json }, i) => {
          const when = (e: ExtensionSample) =>
            e.afterYamlMs === undefined
              ? '?'
              : `${(Math.abs(e.afterYamlMs) / 1000).toFixed(1)} s ${e.afterYamlMs < 0 ? 'before' : 'after'} opening YAML`;
          return (
            `  ${i + 1}: ours ${ours.activationMs} (${ours.event ?? '?'}, ${when(ours)}, ${ours.batch?.length ?? '?'} others); ` +
            `json ${json.activationMs} (${json.event ?? '?'}, ${when(json)}, with ${json.batch?.join(' ') ?? '?'})`
          );
        })
        .join('\n'),
  );
  console.log(`all ${samples.length} launches:`);
  console.log(statsTable(samples));
  const onYaml = samples.filter((sample) => sample.ours.event === 'onLanguage:yaml');
  if (onYaml.length && onYaml.length < samples.length) {
    console.log(`the ${onYaml.length} launches where opening the YAML file activated ours:`);
    console.log(statsTable(onYaml));
  }
  if (INSPECT) {
    const loaded = [...new Set(samples.flatMap((sample) => sample.ourModules ?? []))];
    const withCluster = samples.filter((sample) => sample.ourModules?.includes('cluster.js'));
    console.log(
      `dist/cluster.js (client-node) loaded after opening YAML + JSON: ${withCluster.length} of ${samples.length} launches; our modules in the extension host: ${loaded.join(', ')}`,
    );
  } else {
    console.log('dist/cluster.js loaded: not observed (--no-inspect)');
  }
  console.log(
    `Pod Processes view expanded after opening the YAML file: ${samples.filter((sample) => sample.podViewExpanded).length} of ${samples.length} launches`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
