// What the extension declares to VS Code (package.json, package.nls.json) against the contract
// client and server share (src/manifest/manifestProtocol.ts): a setting the server does not read,
// a rule without its switch, or a default that differs would otherwise go unnoticed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SETTINGS,
  MANIFEST_LANGUAGES,
  RULE_CODES,
  SETTINGS_SECTION,
} from '../../../src/manifest/manifestProtocol';
import { RULES } from '../../../src/manifest/server/ruleCatalog';
import { parseSettings } from '../../../src/manifest/server/settings';

const ROOT = path.resolve(__dirname, '../../..');
const readJson = (name: string): unknown => JSON.parse(readFileSync(path.join(ROOT, name), 'utf8'));

interface SettingSchema {
  readonly type: string;
  readonly default: unknown;
  readonly scope?: string;
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly properties?: Record<string, SettingSchema>;
  readonly additionalProperties?: boolean;
}

const packageJson = readJson('package.json') as {
  activationEvents: string[];
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const nls = readJson('package.nls.json') as Record<string, string>;
const properties = packageJson.contributes.configuration.properties;

/** The section's settings as package.json declares them, keyed by their name in the section. */
const declared = Object.fromEntries(
  Object.entries(properties)
    .filter(([name]) => name.startsWith(`${SETTINGS_SECTION}.`))
    .map(([name, schema]) => [name.slice(SETTINGS_SECTION.length + 1), schema]),
);

function text(key: string | undefined): string | undefined {
  const placeholder = key && /^%(.+)%$/.exec(key)?.[1];
  return placeholder ? nls[placeholder] : undefined;
}

describe('manifest client/server contract', () => {
  it('declares the settings the server reads, with its defaults, and the client trace switch', () => {
    assert.deepEqual(
      Object.keys(declared).sort(),
      [
        ...Object.keys(DEFAULT_SETTINGS),
        // Read by vscode-languageclient itself: the client id is the section.
        'trace.server',
      ].sort(),
    );
    assert.equal(declared.enable.default, DEFAULT_SETTINGS.enable);
    assert.equal(declared.maxFileSize.default, DEFAULT_SETTINGS.maxFileSize);
    assert.deepEqual(declared.rules.default, DEFAULT_SETTINGS.rules);
    for (const schema of Object.values(declared)) {
      assert.ok(text(schema.description ?? schema.markdownDescription), 'a described setting');
    }
  });

  it('reads package.json defaults as its own defaults', () => {
    const defaults = Object.fromEntries(
      Object.entries(declared).map(([name, schema]) => [name, schema.default]),
    );
    assert.deepEqual(parseSettings(defaults), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings(undefined), DEFAULT_SETTINGS);
  });

  it('has one switch per rule code, on by default, each described in package.nls.json', () => {
    const rules = declared.rules;
    assert.equal(rules.additionalProperties, false);
    assert.deepEqual(Object.keys(rules.properties ?? {}), [...RULE_CODES]);
    for (const [code, schema] of Object.entries(rules.properties ?? {})) {
      assert.equal(schema.type, 'boolean', code);
      assert.equal(schema.default, true, code);
      assert.ok(text(schema.description), `${code} has an English description`);
    }
    assert.deepEqual(Object.keys(RULES), [...RULE_CODES], 'every code has a severity and a link');
  });

  it('turns a rule off through its switch', () => {
    assert.deepEqual(parseSettings({ rules: { 'ppe-kill-pid1': false, 'no-such-rule': false } }), {
      ...DEFAULT_SETTINGS,
      rules: { 'ppe-kill-pid1': false },
    });
  });

  it('activates on a language the server checks', () => {
    const languages = packageJson.activationEvents
      .filter((event) => event.startsWith('onLanguage:'))
      .map((event) => event.slice('onLanguage:'.length));
    assert.ok(languages.length > 0);
    for (const language of languages) {
      assert.ok((MANIFEST_LANGUAGES as readonly string[]).includes(language), language);
    }
  });
});
