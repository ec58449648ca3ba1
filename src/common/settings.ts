import * as vscode from 'vscode';
import {
  SETTINGS_SECTION,
  settingValue,
  type SettingKey,
  type SettingValues,
} from './settingsSchema';

/** Typed access to every `podProcessExplorer.*` setting, and change events per key. */
export class Settings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.ConfigurationChangeEvent>();
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SETTINGS_SECTION)) {
      this.changed.fire(event);
    }
  });

  get<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValues[K] {
    return settingValue(key, vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get(key));
  }

  /** Writes a setting into the user settings (a choice the user made in a dialog). */
  async update<K extends SettingKey>(key: K, value: SettingValues[K]): Promise<void> {
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update(key, value, vscode.ConfigurationTarget.Global);
  }

  /** Fires when any of `keys` changes. */
  onDidChange(keys: readonly SettingKey[], listener: () => void): vscode.Disposable {
    return this.changed.event((event) => {
      if (keys.some((key) => event.affectsConfiguration(`${SETTINGS_SECTION}.${key}`))) {
        listener();
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
