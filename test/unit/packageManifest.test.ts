// Checks of the extension manifest that a user would otherwise find as a raw `%key%` title, a
// command that does nothing, or an extension that does not start on the VS Code it claims.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
const packageJson = readJson('package.json') as {
  engines: { vscode: string };
  dependencies: Record<string, string>;
  contributes: { commands: { command: string; title: string }[] };
};

/** Node of the extension host in the oldest VS Code that engines.vscode admits (VS Code release notes). */
const EXTENSION_HOST_NODE: Record<string, string> = { '1.105': '22.19.0' };

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) {
      return (x[i] ?? 0) - (y[i] ?? 0);
    }
  }
  return 0;
}

function placeholders(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    const match = /^%(.+)%$/.exec(value);
    if (match) {
      found.push(match[1]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item) => placeholders(item, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((item) => placeholders(item, found));
  }
  return found;
}

describe('package.json', () => {
  it('has an English text in package.nls.json for every %key%', () => {
    const nls = readJson('package.nls.json') as Record<string, string>;
    const missing = placeholders(packageJson).filter((key) => !(key in nls));
    assert.deepEqual(missing, []);
  });

  it('uses every key of package.nls.json', () => {
    const used = new Set(placeholders(packageJson));
    const stray = Object.keys(readJson('package.nls.json') as object).filter(
      (key) => !used.has(key),
    );
    assert.deepEqual(stray, []);
  });

  it('names every command podProcessExplorer.<verb> with a localized title', () => {
    for (const { command, title } of packageJson.contributes.commands) {
      assert.match(command, /^podProcessExplorer\.[a-z][A-Za-z]+$/);
      assert.match(title, /^%.+%$/);
    }
  });

  it('claims only VS Code releases whose extension host runs the bundled dependencies', () => {
    const floor = /^\^(\d+\.\d+)\.\d+$/.exec(packageJson.engines.vscode)?.[1];
    assert.ok(floor, `engines.vscode ${packageJson.engines.vscode} is ^major.minor.patch`);
    const hostNode = EXTENSION_HOST_NODE[floor];
    assert.ok(hostNode, `the extension host Node of VS Code ${floor} is recorded`);
    for (const name of ['@kubernetes/client-node', 'undici', 'vscode-languageclient']) {
      const engines = (
        readJson(`node_modules/${name}/package.json`) as { engines?: { node?: string } }
      ).engines?.node;
      const minimum = engines && /(\d+\.\d+\.\d+)/.exec(engines)?.[1];
      if (minimum) {
        assert.ok(
          compareVersions(hostNode, minimum) >= 0,
          `${name} needs Node ${engines}, VS Code ${floor} runs ${hostNode}`,
        );
      }
    }
  });

  it('packages every bundle esbuild writes to dist/', () => {
    // A bundle left out of the package fails only in the installed extension (the check worker
    // silently: the server then checks on one thread).
    const build = readFileSync(join(root, 'esbuild.mjs'), 'utf8');
    const entries = /entryPoints: \{([^}]*)\}/.exec(build)?.[1] ?? '';
    const bundles = [...entries.matchAll(/^\s*(\w+): '/gm)].map((match) => match[1]);
    assert.ok(bundles.includes('server') && bundles.includes('checkWorker'), bundles.join(', '));
    const packaged = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const bundle of bundles) {
      assert.ok(packaged.includes(`!dist/${bundle}.js`), `.vscodeignore keeps dist/${bundle}.js`);
    }
  });
});

/** The languages the task page is published in, besides English (README: Languages). */
const LANGUAGES = ['zh-cn', 'ja', 'pt-br', 'fr'];

type Messages = Record<string, string | { message: string; comment: string[] }>;

/** The English text of an entry: a string, or `{ message, comment }` for a message with a comment. */
const englishText = (value: Messages[string]): string =>
  typeof value === 'string' ? value : value.message;

/**
 * What must come through a translation unchanged: placeholders (`{0}`, `{name}`), code spans,
 * link targets (`command:` links of the welcome view) and codicons (`$(eye)`).
 */
function invariants(text: string): string[] {
  const patterns = [/\{[^{}\s]+\}/g, /`[^`]+`/g, /\]\([^)]+\)/g, /\$\([a-z-]+\)/g];
  return patterns.flatMap((pattern) => text.match(pattern) ?? []).sort();
}

/** The strings of `<dir>/src` as `npm run l10n` exports them. */
function exportedKeys(dir: string): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-l10n-'));
  try {
    execFileSync(
      join(root, 'node_modules/.bin/vscode-l10n-dev'),
      ['export', '-o', scratch, join(dir, 'src')],
      { stdio: 'pipe' },
    );
    return Object.keys(
      JSON.parse(readFileSync(join(scratch, 'bundle.l10n.json'), 'utf8')) as Messages,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Everything that is wrong with the translations under `dir`: the English runtime bundle differs
 * from the strings the code uses; a supported language (or any language that has a file) lacks a
 * file or a key, has a key English does not have, an empty translation, or a translation whose
 * placeholders, code spans, link targets or codicons differ from the English text.
 */
function translationProblems(dir: string): string[] {
  const read = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8')) as Messages;
  const files = {
    manifest: (lang: string) => `package.nls.${lang}.json`,
    runtime: (lang: string) => `l10n/bundle.l10n.${lang}.json`,
  };
  const languages = new Set([
    ...LANGUAGES,
    ...readdirSync(dir).flatMap((name) => /^package\.nls\.(.+)\.json$/.exec(name)?.[1] ?? []),
    ...readdirSync(join(dir, 'l10n')).flatMap(
      (name) => /^bundle\.l10n\.(.+)\.json$/.exec(name)?.[1] ?? [],
    ),
  ]);
  const english = { manifest: read('package.nls.json'), runtime: read('l10n/bundle.l10n.json') };
  const problems: string[] = [];
  const used = new Set(exportedKeys(dir));
  const bundled = Object.keys(english.runtime);
  problems.push(
    ...[...used]
      .filter((key) => !(key in english.runtime))
      .map((key) => `l10n/bundle.l10n.json lacks "${key}" (run npm run l10n)`),
    ...bundled
      .filter((key) => !used.has(key))
      .map((key) => `l10n/bundle.l10n.json has "${key}", which no code uses (run npm run l10n)`),
  );
  for (const lang of languages) {
    for (const kind of ['manifest', 'runtime'] as const) {
      const file = files[kind](lang);
      if (!existsSync(join(dir, file))) {
        problems.push(`${file} is missing`);
        continue;
      }
      const translated = read(file);
      for (const [key, value] of Object.entries(english[kind])) {
        const translation = translated[key];
        if (translation === undefined) {
          problems.push(`${file} lacks "${key}"`);
        } else if (typeof translation !== 'string' || translation.trim() === '') {
          problems.push(`${file} has no text for "${key}"`);
        } else if (
          invariants(translation).join('\n') !== invariants(englishText(value)).join('\n')
        ) {
          problems.push(`${file} changes the placeholders or code of "${key}"`);
        }
      }
      problems.push(
        ...Object.keys(translated)
          .filter((key) => !(key in english[kind]))
          .map((key) => `${file} has stray "${key}"`),
      );
    }
  }
  return problems;
}

describe('translations', function () {
  // vscode-l10n-dev parses every source file: seconds on a loaded machine.
  this.timeout(120_000);

  it('are whole and match the code for every language (run `npm run l10n` after adding a string)', () => {
    assert.deepEqual(translationProblems(root), []);
  });

  it('are reported when a key, a file or a placeholder is wrong, or a key is unused', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ppe-nls-'));
    try {
      mkdirSync(join(scratch, 'l10n'));
      mkdirSync(join(scratch, 'src'));
      writeFileSync(
        join(scratch, 'src/probe.ts'),
        [
          "import * as vscode from 'vscode';",
          "export const hello = (name: string) => vscode.l10n.t('Hello {0}', name);",
          "export const run = () => vscode.l10n.t('Run `ps ax`');",
          "export const gone = () => vscode.l10n.t('Not bundled yet');",
        ].join('\n'),
      );
      const write = (path: string, value: object) =>
        writeFileSync(join(scratch, path), JSON.stringify(value));
      write('package.nls.json', { a: 'A', b: 'B {0}' });
      write('l10n/bundle.l10n.json', {
        'Hello {0}': 'Hello {0}',
        'Run `ps ax`': 'Run `ps ax`',
        Unused: 'Unused',
      });
      const runtime = { 'Hello {0}': '你好 {0}', 'Run `ps ax`': '运行 `ps ax`', Unused: '未使用' };
      for (const lang of ['zh-cn', 'pt-br']) {
        write(`package.nls.${lang}.json`, { a: 'A', b: 'B {0}' });
        write(`l10n/bundle.l10n.${lang}.json`, runtime);
      }
      write('package.nls.fr.json', { a: 'A (fr)' });
      write('package.nls.ja.json', { a: 'A', b: 'B {1}' });
      write('l10n/bundle.l10n.ja.json', {
        'Hello {0}': 'こんにちは',
        'Run `ps ax`': '`ps ax` を実行',
        Unused: '',
        Old: 'Old',
      });
      assert.deepEqual(translationProblems(scratch).sort(), [
        'l10n/bundle.l10n.fr.json is missing',
        'l10n/bundle.l10n.ja.json changes the placeholders or code of "Hello {0}"',
        'l10n/bundle.l10n.ja.json has no text for "Unused"',
        'l10n/bundle.l10n.ja.json has stray "Old"',
        'l10n/bundle.l10n.json has "Unused", which no code uses (run npm run l10n)',
        'l10n/bundle.l10n.json lacks "Not bundled yet" (run npm run l10n)',
        'package.nls.fr.json lacks "b"',
        'package.nls.ja.json changes the placeholders or code of "b"',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
