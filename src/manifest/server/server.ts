import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  MarkupKind,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type Diagnostic,
  type Hover,
  type Position,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from './codeActions';
import { hoverAt } from './hover';
import { isManifestLanguage, type InitializationOptions } from '../manifestProtocol';
import { CHECK_DEBOUNCE_MS, CheckScheduler } from './checkScheduler';
import { CheckWorkerPool } from './checkWorkers';
import { toDiagnostics } from './diagnostics';
import { ManifestChecker, checkDocument } from './manifestChecker';
import { publishEncoder } from './publishEncoder';
import { errorText, runSafe } from './runSafe';
import {
  DEFAULT_SETTINGS,
  SETTINGS_SECTION,
  parseSettings,
  type ManifestSettings,
} from './settings';
import { configureServerL10n } from './serverL10n';

// Over stdio (the client starts the server so), with an encoder that serializes each diagnostic
// once: a file's whole list is published again after every edit.
const connection = createConnection(
  ProposedFeatures.all,
  new StreamMessageReader(process.stdin),
  new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: publishEncoder }),
);
let shutdownRequested = false;
connection.onShutdown(() => {
  shutdownRequested = true;
  workers.dispose();
});
// The library ends a server whose stdin it opened itself; this one was handed a reader.
process.stdin.on('close', () => process.exit(shutdownRequested ? 0 : 1));
const documents = new TextDocuments(TextDocument);
let l10nBundlePath: string | undefined;
const workers = CheckWorkerPool.forThisMachine(
  () => ({ l10nBundlePath }),
  (error) => connection.console.warn(`A check worker failed: ${errorText(error)}`),
);
const checker = new ManifestChecker(
  checkDocument,
  (error) => connection.console.error(`A document could not be checked: ${errorText(error)}`),
  workers.checkDocuments,
);
const scheduler = new CheckScheduler(CHECK_DEBOUNCE_MS, (uri) => void validate(uri));
const settingsByUri = new Map<string, Promise<ManifestSettings>>();
/** The settings each open document was last checked with. */
const checkedWith = new Map<string, ManifestSettings>();
/** Documents just opened: checked at once, where changes wait for a pause in typing. */
const opening = new Set<string>();
let pullConfiguration = false;

connection.onInitialize((params) => {
  const options = params.initializationOptions as InitializationOptions | undefined;
  const l10nProblem = configureServerL10n(options?.l10nBundlePath);
  if (l10nProblem) {
    connection.console.warn(l10nProblem);
  } else {
    l10nBundlePath = options?.l10nBundlePath;
  }
  pullConfiguration = params.capabilities.workspace?.configuration === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
  };
});

connection.onInitialized(() => {
  if (pullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, {
      section: SETTINGS_SECTION,
    });
  }
});

connection.onDidChangeConfiguration(() => {
  settingsByUri.clear();
  for (const document of documents.all()) {
    scheduler.schedule(document.uri, 0);
  }
});

function settingsFor(uri: string): Promise<ManifestSettings> {
  if (!pullConfiguration) {
    return Promise.resolve(parseSettings(undefined));
  }
  let settings = settingsByUri.get(uri);
  if (!settings) {
    settings = connection.workspace
      .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
      .then(parseSettings, (error: unknown) => {
        connection.console.warn(`Reading ${SETTINGS_SECTION} failed: ${String(error)}`);
        return parseSettings(undefined);
      });
    settingsByUri.set(uri, settings);
  }
  return settings;
}

/** The open manifest under `uri`, as the client has it now. */
function openManifest(uri: string): TextDocument | undefined {
  const document = documents.get(uri);
  return document && isManifestLanguage(document.languageId) ? document : undefined;
}

async function validate(uri: string): Promise<void> {
  if (!openManifest(uri)) {
    return;
  }
  const settings = await settingsFor(uri);
  // Read the document only now, after the await: while the settings were on their way it may
  // have changed, or been closed and reopened under the same URI with other text at the same
  // version (untitled names are reused). What is published is always computed from the text
  // the client has open under this URI at this version.
  const document = openManifest(uri);
  if (!document) {
    return;
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const version = document.version;
  checkedWith.set(uri, settings);
  let diagnostics: Diagnostic[];
  try {
    const checked = settings.enable
      ? await checker.checkSpread(uri, document.getText(), settings.maxFileSize)
      : [];
    // A large file is checked over several turns of the event loop. If it changed meanwhile, its
    // next check is already scheduled; if it was closed, its diagnostics were cleared.
    if (openManifest(uri) !== document || document.version !== version) {
      return;
    }
    diagnostics = toDiagnostics(document, checked, settings);
  } catch (error) {
    // Something is always published: an empty list rather than the last check's diagnostics.
    connection.console.error(`Checking ${uri} failed: ${errorText(error)}`);
    diagnostics = [];
  }
  try {
    await connection.sendDiagnostics({ uri, version: document.version, diagnostics });
  } catch (error) {
    connection.console.error(`Publishing the diagnostics of ${uri} failed: ${errorText(error)}`);
    return;
  }
  const elapsed = (performance.now() - started).toFixed(1);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = ((cpu.user + cpu.system) / 1000).toFixed(1);
  connection.console.debug(
    `Checked ${uri}: ${diagnostics.length} diagnostics in ${elapsed} ms (${cpuMs} ms of CPU, every thread)`,
  );
}

documents.onDidOpen(({ document }) => opening.add(document.uri));

documents.onDidChangeContent(({ document }) =>
  scheduler.schedule(document.uri, opening.delete(document.uri) ? 0 : CHECK_DEBOUNCE_MS),
);

documents.onDidClose(({ document }) => {
  opening.delete(document.uri);
  scheduler.cancel(document.uri);
  settingsByUri.delete(document.uri);
  checkedWith.delete(document.uri);
  checker.forget(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

function logRequestError(request: string, uri: string) {
  return (error: unknown) =>
    connection.console.error(`${request} in ${uri} failed: ${errorText(error)}`);
}

/** Hovers go through the gates checks go through: nothing where nothing would be checked. */
async function hover(uri: string, position: Position): Promise<Hover | null> {
  if (!openManifest(uri)) {
    return null;
  }
  const settings = await settingsFor(uri);
  const document = openManifest(uri);
  if (!document || !settings.enable) {
    return null;
  }
  const text = document.getText();
  if (text.length > settings.maxFileSize) {
    return null;
  }
  const found = hoverAt(text, document.offsetAt(position));
  if (!found) {
    return null;
  }
  return {
    contents: { kind: MarkupKind.Markdown, value: found.markdown },
    range: {
      start: document.positionAt(found.span.start),
      end: document.positionAt(found.span.end),
    },
  };
}

connection.onHover(({ textDocument, position }, token) =>
  runSafe(
    token,
    () => hover(textDocument.uri, position),
    null,
    logRequestError('Hover', textDocument.uri),
  ),
);

connection.onCodeAction(({ textDocument, context }, token) =>
  runSafe(
    token,
    () => {
      const document = openManifest(textDocument.uri);
      if (!document) {
        return [];
      }
      // Answered at once from the text the request was made against: the diagnostics it
      // carries were computed with this document's settings, which only bound the file size here.
      const maxFileSize = (checkedWith.get(document.uri) ?? DEFAULT_SETTINGS).maxFileSize;
      const placed = checker.findings(document.uri, document.getText(), maxFileSize);
      return quickFixes(document, placed, context.diagnostics);
    },
    [],
    logRequestError('Code actions', textDocument.uri),
  ),
);

documents.listen(connection);
connection.listen();
