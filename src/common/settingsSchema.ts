/**
 * Every `podProcessExplorer.*` setting the extension contributes, with its type and default: the
 * one table the typed settings module reads from, checked against package.json by a unit test.
 */
export const SETTINGS_SECTION = 'podProcessExplorer';

export type ProcessLayout = 'tree' | 'flat';
export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface SettingValues {
  /** A kubeconfig file used instead of KUBECONFIG and ~/.kube/config; empty for those. */
  kubeconfig: string;
  'cluster.requestTimeout': number;
  'processes.layout': ProcessLayout;
  'processes.refreshInterval': number;
  'manifest.enable': boolean;
  'manifest.rules': Record<string, boolean>;
  'manifest.maxFileSize': number;
  'manifest.trace.server': TraceLevel;
  /** Registers the container filesystem read-only: browse and open, never change. */
  'filesystem.readOnly': boolean;
  /** The image Add Debug Container offers first. */
  'debugContainer.image': string;
  /** More images it offers (after the recently used ones and the default). */
  'debugContainer.images': string[];
  /** Seconds to wait for a new debug container to run. */
  'debugContainer.startTimeout': number;
}

export type SettingKey = keyof SettingValues;

interface SettingSpec<T> {
  readonly default: T;
  /** Whether a value read from the configuration is usable; otherwise the default applies. */
  readonly valid: (value: unknown) => value is T;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumberAtLeast =
  (minimum: number) =>
  (value: unknown): value is number =>
    typeof value === 'number' && Number.isFinite(value) && value >= minimum;
const isOneOf =
  <T extends string>(...choices: T[]) =>
  (value: unknown): value is T =>
    choices.includes(value as T);
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');
const isBooleanMap = (value: unknown): value is Record<string, boolean> =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every((item) => typeof item === 'boolean');

export const SETTINGS: { readonly [K in SettingKey]: SettingSpec<SettingValues[K]> } = {
  kubeconfig: { default: '', valid: isString },
  'cluster.requestTimeout': { default: 30, valid: isNumberAtLeast(1) },
  'processes.layout': { default: 'tree', valid: isOneOf('tree', 'flat') },
  'processes.refreshInterval': { default: 0, valid: isNumberAtLeast(0) },
  'manifest.enable': { default: true, valid: isBoolean },
  'manifest.rules': { default: {}, valid: isBooleanMap },
  'manifest.maxFileSize': { default: 5_000_000, valid: isNumberAtLeast(1) },
  'manifest.trace.server': { default: 'off', valid: isOneOf('off', 'messages', 'verbose') },
  'filesystem.readOnly': { default: false, valid: isBoolean },
  'debugContainer.image': { default: 'busybox', valid: isString },
  'debugContainer.images': {
    default: ['busybox', 'alpine', 'nicolaka/netshoot', 'debian:stable-slim'],
    valid: isStringList,
  },
  'debugContainer.startTimeout': { default: 120, valid: isNumberAtLeast(1) },
};

/** The value to use for a raw configuration value: the value when valid, else the default. */
export function settingValue<K extends SettingKey>(key: K, raw: unknown): SettingValues[K] {
  const spec: SettingSpec<SettingValues[K]> = SETTINGS[key];
  return spec.valid(raw) ? raw : spec.default;
}
