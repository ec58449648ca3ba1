import {
  DEFAULT_SETTINGS,
  isRuleCode,
  type ManifestSettings,
  type RuleCode,
} from '../manifestProtocol';

export { DEFAULT_SETTINGS, SETTINGS_SECTION, type ManifestSettings } from '../manifestProtocol';

/** Reads the `podProcessExplorer.manifest` section, keeping defaults for anything malformed. */
export function parseSettings(raw: unknown): ManifestSettings {
  if (typeof raw !== 'object' || raw === null) {
    return DEFAULT_SETTINGS;
  }
  const section = raw as Record<string, unknown>;
  const rules: Partial<Record<RuleCode, boolean>> = {};
  if (typeof section.rules === 'object' && section.rules !== null) {
    for (const [code, enabled] of Object.entries(section.rules)) {
      if (isRuleCode(code) && typeof enabled === 'boolean') {
        rules[code] = enabled;
      }
    }
  }
  return {
    enable: typeof section.enable === 'boolean' ? section.enable : DEFAULT_SETTINGS.enable,
    rules,
    maxFileSize:
      typeof section.maxFileSize === 'number' && section.maxFileSize > 0
        ? section.maxFileSize
        : DEFAULT_SETTINGS.maxFileSize,
  };
}

export function isEnabled(settings: ManifestSettings, code: RuleCode): boolean {
  return settings.enable && settings.rules[code] !== false;
}
