import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  SETTINGS,
  SETTINGS_SECTION,
  settingValue,
  type SettingKey,
} from '../../../src/common/settingsSchema';

const root = resolve(__dirname, '../../..');
const contributed = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, { default: unknown; enum?: unknown[] }> };
    };
  }
).contributes.configuration.properties;

describe('the settings module', () => {
  it('has a typed getter for every contributed setting, and nothing else', () => {
    assert.deepEqual(
      Object.keys(SETTINGS)
        .map((key) => `${SETTINGS_SECTION}.${key}`)
        .sort(),
      Object.keys(contributed).sort(),
    );
  });

  it('uses the defaults package.json declares, and accepts every value it offers', () => {
    for (const [name, property] of Object.entries(contributed)) {
      const key = name.slice(SETTINGS_SECTION.length + 1) as SettingKey;
      assert.deepEqual(SETTINGS[key].default, property.default, name);
      assert.ok(SETTINGS[key].valid(property.default), `${name}: its default is valid`);
      for (const choice of property.enum ?? []) {
        assert.equal(settingValue(key, choice), choice, `${name}: ${String(choice)}`);
      }
    }
  });

  it('falls back to the default for a value of the wrong type or out of range', () => {
    assert.equal(settingValue('processes.layout', 'sideways'), 'tree');
    assert.equal(settingValue('processes.refreshInterval', -5), 0);
    assert.equal(settingValue('processes.refreshInterval', '5'), 0);
    assert.equal(settingValue('processes.refreshInterval', 5), 5);
    assert.equal(settingValue('cluster.requestTimeout', 0), 30);
    assert.equal(settingValue('kubeconfig', 42), '');
    assert.deepEqual(settingValue('manifest.rules', { 'ppe-secret-volume': 'no' }), {});
  });
});
