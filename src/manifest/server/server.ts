import * as l10n from '@vscode/l10n';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  MarkupKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from './codeActions';
import { hoverAt } from './hover';
import {
  isManifestLanguage as isManifestLanguageId,
  type InitializationOptions,
} from '../manifestProtocol';
import { CheckScheduler } from './checkScheduler';
import { toDiagnostics } from './diagnostics';
import { ManifestChecker } from './manifestChecker';
import {
  DEFAULT_SETTINGS,
  SETTINGS_SECTION,
  parseSettings,
  type ManifestSettings,
} from './settings';

/** Quiet while the user types: one check per document after this pause. */
const DEBOUNCE_MS = 250;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const checker = new ManifestChecker();
const scheduler = new CheckScheduler(DEBOUNCE_MS, (uri) => void validate(uri));
const settingsByUri = new Map<string, Promise<ManifestSettings>>();
/** The settings each open document was last checked with. */
const checkedWith = new Map<string, ManifestSettings>();
let pullConfiguration = false;

connection.onInitialize((params) => {
  const options = params.initializationOptions as InitializationOptions | undefined;
  if (options?.l10nBundlePath) {
    l10n.config({ fsPath: options.l10nBundlePath });
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

function isManifestLanguage(document: TextDocument): boolean {
  return isManifestLanguageId(document.languageId);
}

async function validate(uri: string): Promise<void> {
  if (!isOpenManifest(uri)) {
    return;
  }
  const settings = await settingsFor(uri);
  // Read the document only now, after the await: while the settings were on their way it may
  // have changed, or been closed and reopened under the same URI with other text at the same
  // version (untitled names are reused). What is published is always computed from the text
  // the client has open under this URI at this version.
  const document = documents.get(uri);
  if (!document || !isManifestLanguage(document)) {
    return;
  }
  try {
    const started = performance.now();
    checkedWith.set(uri, settings);
    const placed = settings.enable
      ? checker.findings(uri, document.getText(), settings.maxFileSize)
      : [];
    const diagnostics = toDiagnostics(document, placed, settings);
    await connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    const elapsed = (performance.now() - started).toFixed(1);
    connection.console.debug(`Checked ${uri}: ${diagnostics.length} diagnostics in ${elapsed} ms`);
  } catch (error) {
    connection.console.error(
      `Checking ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`,
    );
  }
}

function isOpenManifest(uri: string): boolean {
  const document = documents.get(uri);
  return document !== undefined && isManifestLanguage(document);
}

documents.onDidChangeContent(({ document }) => scheduler.schedule(document.uri));

documents.onDidClose(({ document }) => {
  scheduler.cancel(document.uri);
  settingsByUri.delete(document.uri);
  checkedWith.delete(document.uri);
  checker.forget(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

connection.onHover(({ textDocument, position }) => {
  const document = documents.get(textDocument.uri);
  if (!document || !isManifestLanguage(document)) {
    return null;
  }
  const hover = hoverAt(document.getText(), document.offsetAt(position));
  if (!hover) {
    return null;
  }
  return {
    contents: { kind: MarkupKind.Markdown, value: hover.markdown },
    range: {
      start: document.positionAt(hover.span.start),
      end: document.positionAt(hover.span.end),
    },
  };
});

connection.onCodeAction(({ textDocument, context }) => {
  const document = documents.get(textDocument.uri);
  if (!document || !isManifestLanguage(document)) {
    return [];
  }
  // Answered at once from the text the request was made against: the diagnostics it carries
  // were computed with this document's settings, which only bound the file size here.
  const maxFileSize = (checkedWith.get(document.uri) ?? DEFAULT_SETTINGS).maxFileSize;
  const placed = checker.findings(document.uri, document.getText(), maxFileSize);
  return quickFixes(document, placed, context.diagnostics);
});

documents.listen(connection);
connection.listen();
