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
});

describe('l10n/bundle.l10n.json', () => {
  it('holds every vscode.l10n.t string of the extension (run `npm run l10n` after adding one)', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ppe-l10n-'));
    try {
      execFileSync(
        join(root, 'node_modules/.bin/vscode-l10n-dev'),
        ['export', '-o', scratch, join(root, 'src')],
        { stdio: 'pipe' },
      );
      const fresh = JSON.parse(readFileSync(join(scratch, 'bundle.l10n.json'), 'utf8')) as object;
      const committed = readJson('l10n/bundle.l10n.json') as object;
      assert.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort());
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

/**
 * Every translation that exists is whole: for each language with a package.nls.<lang>.json or an
 * l10n/bundle.l10n.<lang>.json, both files exist and hold exactly the English keys.
 */
function translationProblems(dir: string): string[] {
  const read = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8')) as object;
  const files = {
    manifest: (lang: string) => `package.nls.${lang}.json`,
    runtime: (lang: string) => `l10n/bundle.l10n.${lang}.json`,
  };
  const languages = new Set([
    ...readdirSync(dir).flatMap((name) => /^package\.nls\.(.+)\.json$/.exec(name)?.[1] ?? []),
    ...readdirSync(join(dir, 'l10n')).flatMap(
      (name) => /^bundle\.l10n\.(.+)\.json$/.exec(name)?.[1] ?? [],
    ),
  ]);
  const english = {
    manifest: Object.keys(read('package.nls.json')),
    runtime: Object.keys(read('l10n/bundle.l10n.json')),
  };
  const problems: string[] = [];
  for (const lang of languages) {
    for (const kind of ['manifest', 'runtime'] as const) {
      const file = files[kind](lang);
      if (!existsSync(join(dir, file))) {
        problems.push(`${file} is missing`);
        continue;
      }
      const keys = new Set(Object.keys(read(file)));
      problems.push(
        ...english[kind].filter((key) => !keys.has(key)).map((key) => `${file} lacks "${key}"`),
        ...[...keys]
          .filter((key) => !english[kind].includes(key))
          .map((key) => `${file} has stray "${key}"`),
      );
    }
  }
  return problems;
}

describe('translations', () => {
  it('are whole for every language that has one', () => {
    assert.deepEqual(translationProblems(root), []);
  });

  it('are reported when a key or a file is missing', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ppe-nls-'));
    try {
      mkdirSync(join(scratch, 'l10n'));
      const write = (path: string, value: object) =>
        writeFileSync(join(scratch, path), JSON.stringify(value));
      write('package.nls.json', { a: 'A', b: 'B' });
      write('l10n/bundle.l10n.json', { 'Hello {0}': 'Hello {0}' });
      write('package.nls.fr.json', { a: 'A (fr)' });
      write('package.nls.ja.json', { a: 'A', b: 'B' });
      write('l10n/bundle.l10n.ja.json', { 'Hello {0}': 'こんにちは {0}', Old: 'Old' });
      assert.deepEqual(translationProblems(scratch).sort(), [
        'l10n/bundle.l10n.fr.json is missing',
        'l10n/bundle.l10n.ja.json has stray "Old"',
        'package.nls.fr.json lacks "b"',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
