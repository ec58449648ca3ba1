// A minimal VS Code language pack, made by the tests: without one, `--locale ja` leaves
// vscode.env.language at `en` (VS Code only switches to a language that an installed extension
// contributes under `contributes.localizations`), and none can be downloaded on these machines.
// It translates a handful of VS Code's own strings; everything else of VS Code stays English. The
// extension under test brings its own translations (package.nls.ja.json, l10n/bundle.l10n.ja.json).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const root = resolve(__dirname, '../..');

interface LanguagePackSpec {
  readonly languageName: string;
  readonly localizedLanguageName: string;
  /** VS Code's own strings: module id → nls key → translation (the format of main.i18n.json). */
  readonly vscode: Record<string, Record<string, string>>;
}

/** Only what the tests and the screenshots show: the Explorer's title and its Open Editors. */
const PUBLISHER = 'pod-process-explorer-tests';
const VERSION = '0.0.1';
const packName = (language: string): string => `ppe-test-language-pack-${language}`;

const PACKS: Record<string, LanguagePackSpec> = {
  ja: {
    languageName: 'Japanese',
    localizedLanguageName: '日本語',
    vscode: {
      'vs/workbench/contrib/files/browser/explorerViewlet': { explore: 'エクスプローラー' },
      'vs/workbench/contrib/files/browser/views/openEditorsView': {
        openEditors: '開いているエディター',
      },
      'vs/workbench/contrib/outline/browser/outline.contribution': { name: 'アウトライン' },
    },
  },
};

export const LANGUAGE_PACK_LANGUAGES = Object.keys(PACKS);

/** Writes the language pack for `language` under `dir` and packages it; returns the VSIX path. */
export async function languagePackVsix(dir: string, language: string): Promise<string> {
  const spec = PACKS[language];
  if (!spec) {
    throw new Error(
      `no test language pack for ${language} (have: ${LANGUAGE_PACK_LANGUAGES.join(', ')})`,
    );
  }
  const folder = join(dir, `language-pack-${language}`);
  mkdirSync(join(folder, 'translations'), { recursive: true });
  const name = packName(language);
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify(
      {
        name,
        displayName: `Test language pack: ${spec.languageName}`,
        description: `A few of VS Code's strings in ${spec.languageName}, for Pod Process Explorer's tests.`,
        publisher: PUBLISHER,
        version: VERSION,
        license: 'MIT',
        engines: { vscode: '^1.105.0' },
        categories: ['Language Packs'],
        contributes: {
          localizations: [
            {
              languageId: language,
              languageName: spec.languageName,
              localizedLanguageName: spec.localizedLanguageName,
              translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
            },
          ],
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(folder, 'translations', 'main.i18n.json'),
    JSON.stringify({ version: '1.0.0', contents: spec.vscode }, null, 2),
  );
  writeFileSync(join(folder, 'README.md'), `# ${name}\n\nMade by the tests.\n`);
  writeFileSync(join(folder, 'LICENSE'), 'MIT\n');
  const vsix = join(dir, `${name}.vsix`);
  await execFileAsync(
    join(root, 'node_modules/.bin/vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--out', vsix],
    { cwd: folder },
  );
  return vsix;
}

export interface LanguagePackInstall {
  /** The `code-server` script, and the environment it runs in (Node 24 on PATH). */
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Where the pack is made. */
  readonly scratch: string;
}

/**
 * Installs the test language pack for `language` with `code-server --install-extension`, then
 * records it in `<user-data-dir>/languagepacks.json`, where VS Code's server looks up the
 * translations of a `--locale`. The server writes that file itself when an extension is installed
 * through it, but code-server's `--install-extension` runs VS Code's CLI, which installs the
 * extension without it: written here as the server would (the same fields and hash).
 */
export async function installLanguagePack(
  language: string,
  options: LanguagePackInstall,
): Promise<void> {
  const vsix = await languagePackVsix(options.scratch, language);
  await execFileAsync(
    options.bin,
    [
      '--user-data-dir',
      options.userDataDir,
      '--extensions-dir',
      options.extensionsDir,
      '--install-extension',
      vsix,
    ],
    { env: options.env },
  );
  const id = `${PUBLISHER}.${packName(language)}`;
  const translations = join(options.extensionsDir, `${id}-${VERSION}`, 'translations');
  const entry = {
    hash: createHash('md5').update(id).update(VERSION).digest('hex'),
    extensions: [{ extensionIdentifier: { id }, version: VERSION }],
    translations: { vscode: join(translations, 'main.i18n.json') },
    label: PACKS[language].localizedLanguageName,
  };
  mkdirSync(options.userDataDir, { recursive: true });
  writeFileSync(
    join(options.userDataDir, 'languagepacks.json'),
    JSON.stringify({ [language]: entry }),
  );
}
