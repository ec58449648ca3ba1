/**
 * What the manifest language client and server exchange, in one place: the documents the client
 * hands over, the initialization options, the settings section with its defaults, and the rule
 * codes the settings and disable comments name. Imported by both sides, so it imports neither
 * `vscode` nor the language server; test/unit/manifest/protocol.test.ts holds package.json and
 * package.nls.json to it.
 */

/** Languages and URI schemes of the documents the server checks. */
export const MANIFEST_LANGUAGES = ['yaml', 'json'] as const;
export const MANIFEST_SCHEMES = ['file', 'untitled'] as const;

export function isManifestLanguage(languageId: string): boolean {
  return (MANIFEST_LANGUAGES as readonly string[]).includes(languageId);
}

/** What the client passes in `initializationOptions`. */
export interface InitializationOptions {
  /** The extension's l10n bundle for the display language, when there is one. */
  readonly l10nBundlePath?: string;
}

/** The configuration section the server reads per document (`workspace/configuration`). */
export const SETTINGS_SECTION = 'podProcessExplorer.manifest';

/** Every diagnostic code the server publishes. Codes are stable: settings and disable comments name them. */
export const RULE_CODES = [
  'ppe-host-pid-conflict',
  'ppe-not-boolean',
  'ppe-yaml11-boolean',
  'ppe-misplaced-field',
  'ppe-misspelled-field',
  'ppe-init-needs-pid1',
  'ppe-kill-pid1',
  'ppe-tini-without-subreaper',
  'ppe-secret-env-literal',
  'ppe-secret-arg-literal',
  'ppe-secret-env-reference',
  'ppe-secret-volume',
  'ppe-debug-without-ptrace',
  'ppe-ptrace-breaks-baseline',
  'ppe-privileged-in-shared-pod',
  'ppe-yaml-syntax',
  'ppe-file-too-large',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];

export function isRuleCode(value: unknown): value is RuleCode {
  return typeof value === 'string' && (RULE_CODES as readonly string[]).includes(value);
}

/** The `podProcessExplorer.manifest` section as the server uses it. */
export interface ManifestSettings {
  readonly enable: boolean;
  /** Rules set to false are off; every other rule is on. */
  readonly rules: Readonly<Partial<Record<RuleCode, boolean>>>;
  /** Files with more characters than this are not checked. */
  readonly maxFileSize: number;
}

/** The defaults package.json declares for the section. */
export const DEFAULT_SETTINGS: ManifestSettings = {
  enable: true,
  rules: {},
  maxFileSize: 5_000_000,
};

/**
 * Node options the client starts the server with. V8 sizes its young generation for the
 * allocation rate of parsing a large manifest and keeps it: by default it grew to about 100 MB of
 * mostly empty heap. A cap on the semi-spaces keeps the server's memory near what it holds,
 * which is not a limit on the heap: a huge file still gets all the memory it needs.
 */
export const MANIFEST_SERVER_EXEC_ARGV = ['--max-semi-space-size=8'] as const;
