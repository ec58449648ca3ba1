import { DEFAULT_SETTINGS, type ManifestSettings } from './manifestChecker';
import { isRuleCode, type RuleCode } from './ruleCatalog';

export const SETTINGS_SECTION = 'podProcessExplorer.manifest';

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
