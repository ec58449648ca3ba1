import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../package.json';

const EXTENSION_ID = `${packageJson.publisher}.${packageJson.name}`;

describe('the extension in a real VS Code', () => {
  it(`runs inside VS Code ${vscode.version} (extension host Node ${process.version}), which meets engines.vscode`, () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    const floor = /(\d+)\.(\d+)/.exec(packageJson.engines.vscode);
    assert.ok(floor, 'engines.vscode names a version');
    assert.ok(
      major > Number(floor[1]) || (major === Number(floor[1]) && minor >= Number(floor[2])),
      `VS Code ${vscode.version} is older than ${packageJson.engines.vscode}`,
    );
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed in the test host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command it contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = packageJson.contributes.commands.map((command) => command.command);
    assert.ok(contributed.length > 0);
    for (const command of contributed) {
      assert.ok(registered.has(command), `${command} is registered`);
    }
  });

  it('shows the Pod Processes view in the Explorer', async () => {
    // Focusing a view that was not contributed fails with "command not found".
    await vscode.commands.executeCommand('podProcessExplorer.pods.focus');
  });
});
