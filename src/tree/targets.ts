import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage } from '../common/errors';
import {
  isSharedPod,
  podContainers,
  podUid,
  SHARED_PID_NAMESPACE,
  type PodContainer,
} from '../processes/podContainers';
import type { ProcessInfo } from '../processes/types';
import { stateLabel } from './treeItems';
import type { PodTreeNode } from './treeNodes';

/**
 * What a command acts on: taken from the tree item it was run on, or, from the command palette,
 * asked for with quick picks (pod, then container or process), so every action works from the
 * keyboard.
 */
export interface ContainerTarget {
  readonly pod: V1Pod;
  readonly container: PodContainer;
}

export interface ProcessTarget {
  readonly pod: V1Pod;
  readonly process: ProcessInfo;
  /** The container the process runs in; undefined for the sandbox or an unplaced process. */
  readonly container: string | undefined;
  /** PID 1 of a shared pod: the pod sandbox. */
  readonly isSandbox: boolean;
  /** The container's main process (its parent is outside the container). */
  readonly isMain: boolean;
  /** The PID namespace it was listed in (see pidNamespaceKey): its PID means something there. */
  readonly pidNamespace: string;
}

export function containerTargetOf(node: PodTreeNode | undefined): ContainerTarget | undefined {
  return node?.kind === 'container'
    ? { pod: node.parent.pod, container: node.container }
    : undefined;
}

export function processTargetOf(node: PodTreeNode | undefined): ProcessTarget | undefined {
  if (node?.kind === 'process') {
    return {
      pod: node.pod.pod,
      process: node.process,
      container: node.container,
      isSandbox: false,
      isMain: node.isMain,
      pidNamespace: node.pidNamespace,
    };
  }
  if (node?.kind === 'sandbox') {
    return {
      pod: node.parent.pod,
      process: node.process,
      container: undefined,
      isSandbox: true,
      isMain: false,
      pidNamespace: SHARED_PID_NAMESPACE,
    };
  }
  return undefined;
}

const PICK_TIMEOUT_MS = 30_000;

/** The pods of the chosen namespace (shared ones unless the tree shows all), read once. */
function currentPods({ cluster }: ExtensionDeps): Promise<V1Pod[]> {
  const session = cluster.session();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      watch.dispose();
      reject(new Error(vscode.l10n.t('The cluster did not list its pods in time.')));
    }, PICK_TIMEOUT_MS);
    const watch = session.watchPods(cluster.namespace(), {
      onSnapshot: (pods) => {
        clearTimeout(timer);
        // Disposed after this call returns: the listener runs inside the watch.
        setImmediate(() => watch.dispose());
        resolve(pods.filter((pod) => cluster.showAllPods || isSharedPod(pod)));
      },
      onChange: () => undefined,
      onError: (error) => {
        clearTimeout(timer);
        setImmediate(() => watch.dispose());
        reject(error);
      },
    });
  });
}

export async function pickPod(deps: ExtensionDeps): Promise<V1Pod | undefined> {
  const pods = currentPods(deps).then((list) =>
    list
      .filter((pod) => pod.status?.phase === 'Running')
      .map((pod) => ({
        label: pod.metadata?.name ?? '',
        description: pod.metadata?.namespace,
        detail: podContainers(pod)
          .map((container) => container.name)
          .join(', '),
        pod,
      })),
  );
  const picked = await vscode.window.showQuickPick(pods, {
    title: vscode.l10n.t('Pod'),
    placeHolder: vscode.l10n.t('Pick a running pod'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.pod;
}

/** A container of `pod` (picked first when not given) that `accept` allows. */
export async function pickContainer(
  deps: ExtensionDeps,
  accept: (container: PodContainer) => boolean = () => true,
  pod?: V1Pod,
): Promise<ContainerTarget | undefined> {
  const chosenPod = pod ?? (await pickPod(deps));
  if (!chosenPod) {
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    podContainers(chosenPod)
      .filter(accept)
      .map((container) => ({
        label: container.name,
        description: `${stateLabel(container)} · ${container.image}`,
        container,
      })),
    { title: vscode.l10n.t('Container of {0}', chosenPod.metadata?.name ?? '') },
  );
  return picked && { pod: chosenPod, container: picked.container };
}

/**
 * A process of `pod` (picked first when not given), from its current listings: one per PID
 * namespace, so in an isolated pod each container's PID 1 is offered, under its container.
 */
export async function pickProcess(
  deps: ExtensionDeps,
  pod?: V1Pod,
): Promise<ProcessTarget | undefined> {
  const chosenPod = pod ?? (await pickPod(deps));
  if (!chosenPod) {
    return undefined;
  }
  const uid = podUid(chosenPod);
  await deps.processes.ensure(chosenPod);
  const listings = [...deps.processes.listings(uid)];
  const ready = listings.flatMap(([key, state]) =>
    state.status === 'ready' ? [{ key, listed: state.current }] : [],
  );
  if (ready.length === 0) {
    const failed = listings.find(([, state]) => state.status === 'error')?.[1];
    throw new Error(
      failed?.status === 'error'
        ? errorMessage(failed.error)
        : vscode.l10n.t('The processes of {0} are not listed.', chosenPod.metadata?.name ?? ''),
    );
  }
  const items = ready.flatMap(({ key, listed }) => {
    const { placed } = listed;
    const containerOf = new Map<number, string>();
    for (const [name, processes] of placed.byContainer) {
      for (const process of processes) {
        containerOf.set(process.pid, name);
      }
    }
    return listed.listing.processes.map((process) => {
      const container = containerOf.get(process.pid);
      const isSandbox = placed.sandbox?.pid === process.pid;
      return {
        label: `${process.pid}`,
        description: process.commandLine,
        detail: isSandbox
          ? vscode.l10n.t('pod sandbox (pause)')
          : (container ?? vscode.l10n.t('unknown container')),
        target: {
          pod: chosenPod,
          process,
          container,
          isSandbox,
          isMain: container !== undefined && placed.mainPid.get(container) === process.pid,
          pidNamespace: key,
        },
      };
    });
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Process of {0}', chosenPod.metadata?.name ?? ''),
    placeHolder: vscode.l10n.t('PID, command line or container'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.target;
}
