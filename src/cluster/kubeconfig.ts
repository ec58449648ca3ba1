// Which kubeconfig files to read, and how several of them merge — as kubectl (client-go's
// clientcmd) does it, not as client-node's loadFromDefault does (which throws on a name two files
// share, lets the last file's current-context win, and ignores `tokenFile`). Nothing here ever
// writes to a kubeconfig file.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ClusterError } from './clusterErrors';

export interface KubeconfigPathOptions {
  /** The extension's setting: one path, `~` expanded. Wins over everything else. */
  setting?: string;
  /** The KUBECONFIG environment variable. */
  envKubeconfig?: string;
  homeDir: string;
}

export function kubeconfigPaths(options: KubeconfigPathOptions): string[] {
  const setting = options.setting?.trim();
  if (setting) {
    return [expandHome(setting, options.homeDir)];
  }
  if (options.envKubeconfig) {
    const seen = new Set<string>();
    return options.envKubeconfig.split(path.delimiter).filter((entry) => {
      if (!entry || seen.has(entry)) {
        return false;
      }
      seen.add(entry);
      return existsSync(entry);
    });
  }
  return [path.join(options.homeDir, '.kube', 'config')];
}

function expandHome(file: string, homeDir: string): string {
  if (file === '~') {
    return homeDir;
  }
  return /^~[/\\]/.test(file) ? path.join(homeDir, file.slice(2)) : file;
}

/** One parsed kubeconfig file: the YAML document as plain data. */
export interface KubeconfigFile {
  path: string;
  config: unknown;
}

/** A named cluster, user or context, with the file that defined it. */
export interface KubeconfigEntry {
  name: string;
  /** The `cluster`, `user` or `context` mapping, with relative paths made absolute. */
  value: Record<string, unknown>;
  file: string;
}

export interface MergedKubeconfig {
  clusters: KubeconfigEntry[];
  users: KubeconfigEntry[];
  contexts: KubeconfigEntry[];
  currentContext?: string;
}

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface LoadedKubeconfig {
  paths: string[];
  contexts: KubeconfigContext[];
  currentContext?: string;
  kubeConfig: KubeConfig;
}

type Section = 'clusters' | 'users' | 'contexts';
const SECTION_KEY: Record<Section, string> = {
  clusters: 'cluster',
  users: 'user',
  contexts: 'context',
};

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(file: string, problem: string): ClusterError {
  return new ClusterError(
    'badKubeconfig',
    l10n.t('The kubeconfig file {0} is not valid: {1}', file, problem),
    { file },
  );
}

function resolveIn(dir: string, value: unknown): unknown {
  return typeof value === 'string' && value !== '' && !path.isAbsolute(value)
    ? path.resolve(dir, value)
    : value;
}

/** Makes a file's relative references absolute against that file's directory, as client-go does. */
function resolvePaths(section: Section, value: Record<string, unknown>, dir: string) {
  const resolved = { ...value };
  if (section === 'clusters') {
    resolved['certificate-authority'] = resolveIn(dir, value['certificate-authority']);
  } else if (section === 'users') {
    for (const key of ['client-certificate', 'client-key', 'tokenFile', 'token-file']) {
      resolved[key] = resolveIn(dir, value[key]);
    }
    const exec = value.exec;
    // A bare command name is looked up on PATH; only one with a separator is a relative path.
    if (isMapping(exec) && typeof exec.command === 'string' && /[/\\]/.test(exec.command)) {
      resolved.exec = { ...exec, command: resolveIn(dir, exec.command) };
    }
  }
  for (const key of Object.keys(resolved)) {
    if (resolved[key] === undefined) {
      delete resolved[key];
    }
  }
  return resolved;
}

/**
 * Merges kubeconfig files in order, as kubectl does: the first file to define a cluster, user or
 * context name wins, and so does the first file that sets current-context.
 */
export function mergeKubeconfigs(files: readonly KubeconfigFile[]): MergedKubeconfig {
  const merged: MergedKubeconfig = { clusters: [], users: [], contexts: [] };
  const seen: Record<Section, Set<string>> = {
    clusters: new Set(),
    users: new Set(),
    contexts: new Set(),
  };
  for (const file of files) {
    const { config } = file;
    if (config === null || config === undefined) {
      continue; // An empty file is an empty config.
    }
    if (!isMapping(config)) {
      throw invalid(file.path, l10n.t('it is not a YAML mapping'));
    }
    const dir = path.dirname(file.path);
    for (const section of ['clusters', 'users', 'contexts'] as const) {
      const list = config[section];
      if (list === undefined || list === null) {
        continue;
      }
      if (!Array.isArray(list)) {
        throw invalid(file.path, l10n.t('"{0}" must be a list', section));
      }
      list.forEach((item: unknown, index) => {
        if (!isMapping(item) || typeof item.name !== 'string' || item.name === '') {
          throw invalid(file.path, l10n.t('{0}[{1}] has no name', section, index));
        }
        const value = item[SECTION_KEY[section]] ?? {};
        if (!isMapping(value)) {
          throw invalid(
            file.path,
            l10n.t(
              '"{0}" of {1} "{2}" must be a mapping',
              SECTION_KEY[section],
              section,
              item.name,
            ),
          );
        }
        if (seen[section].has(item.name)) {
          return;
        }
        seen[section].add(item.name);
        merged[section].push({
          name: item.name,
          value: resolvePaths(section, value, dir),
          file: file.path,
        });
      });
    }
    const current = config['current-context'];
    if (merged.currentContext === undefined && typeof current === 'string' && current !== '') {
      merged.currentContext = current;
    }
  }
  return merged;
}

function readKubeconfigFile(file: string): KubeconfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new ClusterError(
      'noKubeconfig',
      code === 'ENOENT'
        ? l10n.t('The kubeconfig file {0} does not exist.', file)
        : l10n.t('Cannot read the kubeconfig file {0} ({1}).', file, code),
      { file },
      { cause: error },
    );
  }
  try {
    return { path: file, config: parseYaml(text) as unknown };
  } catch (error) {
    throw new ClusterError(
      'badKubeconfig',
      l10n.t(
        'The kubeconfig file {0} is not valid YAML: {1}',
        file,
        String((error as Error).message).split('\n')[0],
      ),
      { file },
      { cause: error },
    );
  }
}

/** Reads and merges the files; a missing, unreadable or malformed one is a ClusterError naming it. */
export function loadKubeconfig(paths: string[]): LoadedKubeconfig {
  if (paths.length === 0) {
    throw new ClusterError(
      'noKubeconfig',
      l10n.t('No kubeconfig file was found: none of the files KUBECONFIG names exists.'),
    );
  }
  const merged = mergeKubeconfigs(paths.map(readKubeconfigFile));
  const kubeConfig = newKubeConfig();
  // Entries client-node cannot use (a cluster without a server) are dropped here and reported when
  // a context needs them, as kubectl reports them only when used.
  kubeConfig.loadFromString(
    JSON.stringify({
      clusters: merged.clusters.map((entry) => ({ name: entry.name, cluster: entry.value })),
      users: merged.users.map((entry) => ({ name: entry.name, user: withTokenFile(entry.value) })),
      contexts: merged.contexts.map((entry) => ({ name: entry.name, context: entry.value })),
      'current-context': merged.currentContext,
    }),
    { onInvalidEntry: 'filter' },
  );
  return {
    paths: [...paths],
    contexts: merged.contexts.map((entry) => ({
      name: entry.name,
      cluster: typeof entry.value.cluster === 'string' ? entry.value.cluster : '',
      user: typeof entry.value.user === 'string' ? entry.value.user : '',
      ...(typeof entry.value.namespace === 'string' && entry.value.namespace !== ''
        ? { namespace: entry.value.namespace }
        : {}),
    })),
    currentContext: merged.currentContext,
    kubeConfig,
  };
}

/** A KubeConfig over the same clusters and users whose current context is `contextName`. */
export function kubeConfigForContext(loaded: LoadedKubeconfig, contextName: string): KubeConfig {
  const source = loaded.kubeConfig;
  const kubeConfig = newKubeConfig();
  kubeConfig.loadFromOptions({
    clusters: source.getClusters(),
    users: source.getUsers(),
    contexts: source.getContexts(),
    currentContext: contextName,
  });
  return kubeConfig;
}

const TOKEN_FILE_PROVIDER = 'pod-process-explorer-token-file';

/**
 * client-node reads `token-file` (not kubectl's `tokenFile`) once, relative to the process's
 * directory and with its trailing newline. A user with a token file gets an auth provider of ours
 * instead, which reads the file on every request (it may be rotated) and trims it.
 */
function withTokenFile(user: Record<string, unknown>): Record<string, unknown> {
  const tokenFile = user.tokenFile ?? user['token-file'];
  if (typeof tokenFile !== 'string' || user.exec || user['auth-provider']) {
    return user;
  }
  const rest = Object.fromEntries(
    Object.entries(user).filter(([key]) => !['tokenFile', 'token-file', 'token'].includes(key)),
  );
  return { ...rest, 'auth-provider': { name: TOKEN_FILE_PROVIDER, config: { path: tokenFile } } };
}

function newKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.addAuthenticator({
    isAuthProvider: (user: User) =>
      (user.authProvider as { name?: unknown } | undefined)?.name === TOKEN_FILE_PROVIDER,
    applyAuthentication: async (user: User, options: { headers?: unknown }) => {
      const file = (user.authProvider as { config: { path: string } }).config.path;
      const token = (await readFile(file, 'utf8')).trim();
      options.headers = { ...(options.headers as object), Authorization: `Bearer ${token}` };
    },
  });
  return kubeConfig;
}
