// The layering rules of DEVELOPERS.md, as eslint.config.mjs fences them: checked here on code that
// breaks them, so a config change that silently drops a fence fails a test.
import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = resolve(__dirname, '../..');

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    // Files that do not exist have no type information; the import fences need none.
    overrideConfig: [{ ...tseslint.configs.disableTypeChecked, files: ['**/*.ts'] }],
  });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return result.messages
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

describe('layering (eslint.config.mjs)', () => {
  it('keeps vscode and the views out of the cluster layer', async () => {
    assert.equal(
      (
        await restrictedImports(
          'src/cluster/probe.ts',
          "import * as vscode from 'vscode';\nvoid vscode;",
        )
      ).length,
      1,
    );
    assert.equal(
      (
        await restrictedImports(
          'src/cluster/probe.ts',
          "import { x } from '../tree/podTree';\nvoid x;",
        )
      ).length,
      1,
    );
  });

  it('keeps src/processes pure: no vscode, no client, no cluster layer', async () => {
    for (const code of [
      "import * as vscode from 'vscode';\nvoid vscode;",
      "import { KubeConfig } from '@kubernetes/client-node';\nvoid KubeConfig;",
      "import type { ClusterSession } from '../cluster';\nexport type A = ClusterSession;",
    ]) {
      assert.equal((await restrictedImports('src/processes/probe.ts', code)).length, 1, code);
    }
  });

  it('lets views import only the cluster layer’s types, so its code loads lazily', async () => {
    assert.equal(
      (
        await restrictedImports(
          'src/tree/probe.ts',
          "import { ClusterSession } from '../cluster';\nvoid ClusterSession;",
        )
      ).length,
      1,
    );
    assert.equal(
      (
        await restrictedImports(
          'src/tree/probe.ts',
          "import { KubeConfig } from '@kubernetes/client-node';\nvoid KubeConfig;",
        )
      ).length,
      1,
    );
    assert.deepEqual(
      await restrictedImports(
        'src/tree/probe.ts',
        "import type { ClusterSession } from '../cluster';\nexport type A = ClusterSession;",
      ),
      [],
    );
  });

  it('loads the language client only in its own bundle', async () => {
    const code =
      "import { LanguageClient } from 'vscode-languageclient/node';\nvoid LanguageClient;";
    assert.equal((await restrictedImports('src/manifest/manifestActivation.ts', code)).length, 1);
    assert.deepEqual(await restrictedImports('src/manifest/client.ts', code), []);
  });

  it('keeps test/ out of src/, and vscode out of unit tests', async () => {
    assert.equal(
      (
        await restrictedImports(
          'src/common/probe.ts',
          "import { x } from '../../test/unit/x';\nvoid x;",
        )
      ).length,
      1,
    );
    assert.equal(
      (
        await restrictedImports(
          'test/unit/probe.test.ts',
          "import * as vscode from 'vscode';\nvoid vscode;",
        )
      ).length,
      1,
    );
  });
});
