import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, isEnabled, parseSettings } from '../../../src/manifest/server/settings';

describe('manifest settings', () => {
  it('reads each setting the user wrote, and keeps the default of each malformed one', () => {
    assert.deepEqual(
      parseSettings({ enable: false, maxFileSize: 1, rules: { 'ppe-kill-pid1': true } }),
      { enable: false, maxFileSize: 1, rules: { 'ppe-kill-pid1': true } },
    );
    assert.deepEqual(parseSettings({ maxFileSize: 0 }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ maxFileSize: '100' }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ enable: 0 }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ rules: null }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ rules: 'ppe-kill-pid1' }), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings('enable'), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings(42), DEFAULT_SETTINGS);
  });

  it('keeps the rule switches that are booleans for known codes', () => {
    assert.deepEqual(
      parseSettings({
        rules: {
          'ppe-kill-pid1': false,
          'ppe-secret-volume': 'false',
          'ppe-yaml-syntax': 0,
          'ppe-not-boolean': true,
        },
      }).rules,
      { 'ppe-kill-pid1': false, 'ppe-not-boolean': true },
    );
  });

  it('turns a rule off only by its switch set to false, and every rule off with enable', () => {
    const settings = parseSettings({ rules: { 'ppe-kill-pid1': false, 'ppe-not-boolean': true } });
    assert.equal(isEnabled(settings, 'ppe-kill-pid1'), false);
    assert.equal(isEnabled(settings, 'ppe-not-boolean'), true);
    assert.equal(isEnabled(settings, 'ppe-secret-volume'), true);
    const off = parseSettings({ enable: false, rules: { 'ppe-not-boolean': true } });
    assert.equal(isEnabled(off, 'ppe-not-boolean'), false);
    assert.equal(isEnabled(off, 'ppe-secret-volume'), false);
  });
});
