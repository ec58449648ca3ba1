// The language server and the cluster bundle configure their copy of @vscode/l10n after their
// modules are loaded (in `initialize`, in configureClusterL10n). A message built at module load
// would stay in English whatever the user's language: this finds any such call in src/.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Code that runs later than module load: function bodies and instance field initializers. */
function isDeferred(node: ts.Node): boolean {
  return (
    ts.isFunctionLike(node) ||
    (ts.isPropertyDeclaration(node) &&
      !node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword))
  );
}

/** `file:line` of every `l10n.t(…)` / `vscode.l10n.t(…)` that runs when its module loads. */
export function messagesAtLoad(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && /^(vscode\.)?l10n\.t$/.test(node.expression.getText())) {
      let ancestor: ts.Node | undefined = node.parent;
      while (ancestor && !isDeferred(ancestor)) {
        ancestor = ancestor.parent;
      }
      if (!ancestor) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${fileName}:${line + 1}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('l10n at module load', () => {
  it('builds no message in src/ before the bundle is configured', () => {
    const found = sourceFiles(join(root, 'src')).flatMap((file) =>
      messagesAtLoad(relative(root, file), readFileSync(file, 'utf8')),
    );
    assert.deepEqual(found, []);
  });

  it('finds a message table built at module load, and not one built in a function', () => {
    const code = [
      "import * as l10n from '@vscode/l10n';",
      "const TABLE = { a: l10n.t('A') };",
      "export const lazy = () => ({ b: l10n.t('B') });",
      "class C { static s = l10n.t('S'); i = l10n.t('I'); m() { return l10n.t('M'); } }",
      'export { TABLE, C };',
    ].join('\n');
    assert.deepEqual(messagesAtLoad('probe.ts', code), ['probe.ts:2', 'probe.ts:4']);
  });
});
