import type { V1Pod } from '@kubernetes/client-node';
import { randomInt } from 'node:crypto';
import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage, isClusterError, runShowingErrors } from '../common/errors';
import {
  DEBUG_PROFILES,
  debugContainerName,
  debugSecurityContext,
  isImageReference,
  nonRootRefusal,
  offeredImages,
  ptraceChoice,
  rememberImage,
  reusableDebugContainers,
  targetCandidates,
  targetRequired,
  type DebugProfile,
  type StartState,
} from '../processes/debugContainer';
import { podContainers, type PodContainer } from '../processes/podContainers';
import { openTerminal } from '../terminal/terminalCommands';
import { pickPod } from '../tree/targets';
import type { PodTreeNode } from '../tree/treeNodes';

const RECENT_IMAGES_KEY = 'podProcessExplorer.debugContainer.recentImages';

/**
 * Answers given up front instead of asked (the in-editor tests, other extensions); whatever is
 * left out is asked for.
 */
export interface AddDebugContainerOptions {
  readonly image?: string;
  /** A container name, or null for none (a pod that shares its process namespace). */
  readonly target?: string | null;
  readonly profile?: DebugProfile;
  readonly addPtrace?: boolean;
  /** Reuse a fitting debug container this extension added before (default: ask when there is one). */
  readonly reuse?: boolean;
  /** Attach a terminal once it runs (default true). */
  readonly attach?: boolean;
}

/** What the command did, for its callers (a failure was also shown to the user). */
export type DebugContainerOutcome =
  { readonly status: 'failed'; readonly message: string } | DebugContainerResult;

export interface DebugContainerResult {
  readonly status: 'added' | 'reused';
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly terminal: vscode.Terminal | undefined;
}

/**
 * "Add Debug Container": an ephemeral container (like `kubectl debug -it --target`) in a running
 * pod, so that a pod whose containers have no shell, or that does not share its process
 * namespace, can be listed, browsed and signalled through it; a terminal is attached to it.
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const title = vscode.l10n.t('Add Debug Container');
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'podProcessExplorer.addDebugContainer',
      (
        node?: PodTreeNode,
        options?: AddDebugContainerOptions,
      ): Promise<DebugContainerOutcome | undefined> =>
        runShowingErrors<DebugContainerOutcome | undefined>(
          deps.log,
          title,
          () => addDebugContainer(context, deps, node, options ?? {}),
          (error) => ({ status: 'failed', message: errorMessage(error) }),
        ),
    ),
  );
}

interface Subject {
  readonly pod: V1Pod;
  /** The container the command was run on, when it was run on one. */
  readonly container: PodContainer | undefined;
}

async function subjectOf(
  deps: ExtensionDeps,
  node: PodTreeNode | undefined,
): Promise<Subject | undefined> {
  switch (node?.kind) {
    case 'pod':
      return { pod: node.pod, container: undefined };
    case 'container':
      return {
        pod: node.parent.pod,
        container: node.container.kind === 'container' ? node.container : undefined,
      };
    default: {
      const pod = await pickPod(deps);
      return pod && { pod, container: undefined };
    }
  }
}

function livePod(node: PodTreeNode | undefined): V1Pod | undefined {
  switch (node?.kind) {
    case 'pod':
      return node.pod;
    case 'container':
      return node.parent.pod;
    default:
      return undefined;
  }
}

async function addDebugContainer(
  context: vscode.ExtensionContext,
  deps: ExtensionDeps,
  node: PodTreeNode | undefined,
  options: AddDebugContainerOptions,
): Promise<DebugContainerResult | undefined> {
  const subject = await subjectOf(deps, node);
  if (!subject) {
    return undefined;
  }
  const { cluster, settings } = deps;
  const layer = cluster.layer;
  const session = cluster.session();
  const pod = subject.pod;
  const namespace = pod.metadata?.namespace ?? 'default';
  const podName = pod.metadata?.name ?? '';
  // Asked before any question, so a user without the rights is told at once.
  await layer.checkDebugAccess(session, namespace, podName);

  const target = await chooseTarget(pod, subject.container, options);
  if (target === undefined) {
    return undefined;
  }
  const reusable = reusableDebugContainers(pod, target ?? undefined);
  if (reusable.length > 0 && options.reuse !== false) {
    const reuse = options.reuse ? reusable[0] : await chooseReuse(pod, reusable);
    if (reuse === 'cancelled') {
      return undefined;
    }
    if (reuse !== 'new') {
      return {
        status: 'reused',
        pod: podName,
        namespace,
        container: reuse.name,
        terminal: options.attach === false ? undefined : attach(deps, pod, reuse),
      };
    }
  }
  const image = options.image ?? (await chooseImage(context, deps));
  if (!image) {
    return undefined;
  }
  const profile = options.profile ?? (await chooseProfile());
  if (!profile) {
    return undefined;
  }
  const addPtrace = options.addPtrace ?? (await choosePtrace(profile));
  if (addPtrace === undefined) {
    return undefined;
  }
  await context.globalState.update(
    RECENT_IMAGES_KEY,
    rememberImage(context.globalState.get<string[]>(RECENT_IMAGES_KEY, []), image),
  );
  const name = debugContainerName(
    new Set(podContainers(pod).map((container) => container.name)),
    (size) => randomInt(size),
  );
  // The tree keeps its node's pod current from the watch: the pod as shown now, not as it was
  // before the questions (a status change meanwhile is no reason for a conflict).
  const shown = livePod(node) ?? pod;
  const timeoutSeconds = settings.get('debugContainer.startTimeout');
  // The state the wait ended in, so a refusal can be explained in terms of what was chosen.
  let lastState: StartState | undefined;
  const updated = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Adding debug container {0} to pod {1}', name, podName),
      cancellable: true,
    },
    async (progress, token): Promise<V1Pod> => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        return await layer.addDebugContainer(session, {
          pod: shown,
          container: { name, image, target: target ?? undefined, profile, addPtrace },
          startTimeoutMs: timeoutSeconds * 1000,
          signal: abort.signal,
          onProgress: (state) => {
            lastState = state;
            progress.report({ message: progressMessage(state, image) });
          },
        });
      } catch (error) {
        throw nonRootError(error, lastState, shown, name, image);
      } finally {
        subscription.dispose();
      }
    },
  );
  deps.log.info(
    `Added debug container ${name} (${image}, profile ${profile}${target ? `, target ${target}` : ''}) to ${namespace}/${podName}`,
  );
  void deps.processes.refresh(updated);
  const added = podContainers(updated).find((container) => container.name === name);
  return {
    status: 'added',
    pod: podName,
    namespace,
    container: name,
    terminal: options.attach === false || !added ? undefined : attach(deps, updated, added),
  };
}

function attach(deps: ExtensionDeps, pod: V1Pod, container: PodContainer): vscode.Terminal {
  return openTerminal(
    deps,
    { pod, container },
    'attach',
    vscode.l10n.t('Debug container {0}', container.name),
  );
}

/** The target container's name; null for none; undefined when the user cancelled. */
async function chooseTarget(
  pod: V1Pod,
  fromNode: PodContainer | undefined,
  options: AddDebugContainerOptions,
): Promise<string | null | undefined> {
  if (options.target !== undefined) {
    return options.target;
  }
  if (fromNode) {
    return fromNode.name;
  }
  const required = targetRequired(pod);
  const candidates = targetCandidates(pod).filter((container) => container.state === 'running');
  if (required && candidates.length === 0) {
    throw new Error(
      vscode.l10n.t(
        'No container of pod {0} is running, so a debug container has no process namespace to join.',
        pod.metadata?.name ?? '',
      ),
    );
  }
  if (required && candidates.length === 1) {
    return candidates[0].name;
  }
  const none = {
    label: vscode.l10n.t('No target'),
    description: vscode.l10n.t('the pod shares its process namespace: every process is seen'),
    target: null,
  };
  const picked = await vscode.window.showQuickPick(
    [
      ...(required ? [] : [none]),
      ...candidates.map((container) => ({
        label: container.name,
        description: container.image,
        target: container.name,
      })),
    ],
    {
      title: vscode.l10n.t('Target container in pod {0}', pod.metadata?.name ?? ''),
      placeHolder: required
        ? vscode.l10n.t(
            'The pod does not share its process namespace: the debug container sees the processes of the container it targets',
          )
        : vscode.l10n.t(
            'Optional: the container whose process namespace the debug container joins',
          ),
    },
  );
  return picked?.target;
}

async function chooseReuse(
  pod: V1Pod,
  reusable: readonly PodContainer[],
): Promise<PodContainer | 'new' | 'cancelled'> {
  const picked = await vscode.window.showQuickPick(
    [
      ...reusable.map((container) => ({
        label: vscode.l10n.t('Reattach to {0}', container.name),
        description: [
          container.image,
          container.targetContainer && vscode.l10n.t('target {0}', container.targetContainer),
          container.canTrace && 'SYS_PTRACE',
        ]
          .filter(Boolean)
          .join(' · '),
        iconPath: new vscode.ThemeIcon('plug'),
        choice: container,
      })),
      {
        label: vscode.l10n.t('Add another debug container…'),
        description: vscode.l10n.t('ephemeral containers stay in the pod until it is deleted'),
        iconPath: new vscode.ThemeIcon('add'),
        choice: 'new' as const,
      },
    ],
    {
      title: vscode.l10n.t(
        'Pod {0} has a running debug container added earlier',
        pod.metadata?.name ?? '',
      ),
    },
  );
  return picked?.choice ?? 'cancelled';
}

async function chooseImage(
  context: vscode.ExtensionContext,
  { settings }: ExtensionDeps,
): Promise<string | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_IMAGES_KEY, []);
  const images = offeredImages(
    recent,
    settings.get('debugContainer.images'),
    settings.get('debugContainer.image'),
  );
  const other = vscode.l10n.t('Other image…');
  const picked = await vscode.window.showQuickPick(
    [
      ...images.map((image) => ({
        label: image,
        description: recent.includes(image) ? vscode.l10n.t('recently used') : undefined,
        iconPath: new vscode.ThemeIcon('package'),
      })),
      { label: other, iconPath: new vscode.ThemeIcon('edit') },
    ],
    {
      title: vscode.l10n.t('Debug container image'),
      placeHolder: vscode.l10n.t('An image with a shell (busybox, alpine…) lists and browses'),
    },
  );
  if (picked?.label !== other) {
    return picked?.label;
  }
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Debug container image'),
    placeHolder: 'registry.example.com/tools/debug:1.0',
    validateInput: (value) =>
      isImageReference(value.trim())
        ? undefined
        : vscode.l10n.t('Not an image reference (such as busybox:1.36 or ghcr.io/org/tool:tag).'),
  });
  return typed?.trim() || undefined;
}

function profileDescription(profile: DebugProfile): string {
  const context = debugSecurityContext(profile, false);
  return context ? JSON.stringify(context) : vscode.l10n.t('no securityContext');
}

async function chooseProfile(): Promise<DebugProfile | undefined> {
  const details: Record<DebugProfile, string> = {
    general: vscode.l10n.t('Adds SYS_PTRACE: reads every process’s /proc (kubectl’s default).'),
    baseline: vscode.l10n.t('No securityContext: what the baseline Pod Security Standard allows.'),
    restricted: vscode.l10n.t(
      'Non-root, every capability dropped, no privilege escalation, RuntimeDefault seccomp: passes the restricted standard, but may read only processes of its own user.',
    ),
    netadmin: vscode.l10n.t('Adds NET_ADMIN and NET_RAW: for network debugging.'),
    sysadmin: vscode.l10n.t('Privileged: every capability, every device.'),
  };
  const picked = await vscode.window.showQuickPick(
    DEBUG_PROFILES.map((profile) => ({
      label: profile,
      description: profileDescription(profile),
      detail: details[profile],
      profile,
    })),
    { title: vscode.l10n.t('Profile (as kubectl debug --profile)'), matchOnDetail: true },
  );
  return picked?.profile;
}

async function choosePtrace(profile: DebugProfile): Promise<boolean | undefined> {
  const choice = ptraceChoice(profile);
  if (choice !== 'optional') {
    return choice === 'implied';
  }
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('Add SYS_PTRACE'),
        detail: vscode.l10n.t(
          'Reads the environment and filesystem of processes of other users (nginx workers, for one).',
        ),
        add: true,
      },
      {
        label: vscode.l10n.t('Without SYS_PTRACE'),
        detail: vscode.l10n.t(
          'Sees processes, but not the root or environment of other users’ ones.',
        ),
        add: false,
      },
    ],
    { title: vscode.l10n.t('SYS_PTRACE for the {0} profile', profile) },
  );
  return picked?.add;
}

/**
 * A start the kubelet refused because the container must not run as root (runAsNonRoot) said in
 * the user's terms: what requires it (the restricted profile, or the pod's own securityContext),
 * why the image does not qualify, and what to choose instead; any other error as it is.
 */
function nonRootError(
  error: unknown,
  state: StartState | undefined,
  pod: V1Pod,
  name: string,
  image: string,
): unknown {
  const refusal = state && nonRootRefusal(state);
  // Only the "did not start" the wait ended on is explained; any other failure stays as it is.
  if (
    !refusal ||
    state.kind !== 'failed' ||
    !isClusterError(error) ||
    error.kind !== 'notRunning'
  ) {
    return error;
  }
  const podName = pod.metadata?.name ?? '';
  // A pod that requires it itself leaves no profile to switch to.
  const byPod = pod.spec?.securityContext?.runAsNonRoot === true;
  let message: string;
  if (refusal.kind === 'imageRunsAsRoot') {
    message = byPod
      ? vscode.l10n.t(
          'Debug container {0} did not start: image {1} runs as root, and pod {2} requires a non-root user (runAsNonRoot in its securityContext). Choose an image that runs as a non-root user (a numeric USER, such as 65532). The kubelet said: {3}: {4}',
          name,
          image,
          podName,
          state.reason,
          state.message,
        )
      : vscode.l10n.t(
          'Debug container {0} did not start: image {1} runs as root, and the restricted profile requires a non-root user (runAsNonRoot). Choose an image that runs as a non-root user (a numeric USER, such as 65532), or another profile (general or baseline). The kubelet said: {2}: {3}',
          name,
          image,
          state.reason,
          state.message,
        );
  } else {
    message = byPod
      ? vscode.l10n.t(
          'Debug container {0} did not start: image {1} names its user ({2}) instead of a numeric ID, so the kubelet cannot check that it is not root, as pod {3} requires (runAsNonRoot in its securityContext). Choose an image whose USER is a numeric non-root ID. The kubelet said: {4}: {5}',
          name,
          image,
          refusal.user,
          podName,
          state.reason,
          state.message,
        )
      : vscode.l10n.t(
          'Debug container {0} did not start: image {1} names its user ({2}) instead of a numeric ID, so the kubelet cannot check that it is not root, as the restricted profile requires (runAsNonRoot). Choose an image whose USER is a numeric non-root ID, or another profile (general or baseline). The kubelet said: {3}: {4}',
          name,
          image,
          refusal.user,
          state.reason,
          state.message,
        );
  }
  return new Error(message, { cause: error });
}

function progressMessage(state: StartState, image: string): string {
  switch (state.kind) {
    case 'running':
      return vscode.l10n.t('running');
    case 'waiting':
      return state.reason === undefined || state.reason === 'ContainerCreating'
        ? vscode.l10n.t('starting (pulling {0} if the node does not have it)…', image)
        : vscode.l10n.t('waiting: {0}', state.reason);
    case 'pullFailed':
    case 'failed':
      return state.reason;
    case 'terminated':
      return vscode.l10n.t('ended');
  }
}
