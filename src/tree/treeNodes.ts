import type { V1Pod } from '@kubernetes/client-node';
import type { Command } from 'vscode';
import type { MessageSeverity } from '../common/errors';
import { podUid, type PodContainer } from '../processes/podContainers';
import type { ProcessInfo, ProcessNode as NestedProcess } from '../processes/types';

/**
 * The elements of the Pod Processes tree. VS Code tells elements apart by object identity when a
 * change is fired for one, so the provider keeps one object per pod and namespace and updates it
 * in place; `id`s are stable paths so expansion and selection survive updates.
 */
export type PodTreeNode =
  | ContextNode
  | NamespaceNode
  | PodPageNode
  | PodNode
  | ContainerNode
  | SandboxNode
  | UnknownContainerNode
  | ProcessTreeNode
  | MessageNode;

export class ContextNode {
  readonly kind = 'context';
  constructor(
    readonly contextName: string,
    readonly server: string,
  ) {}
  get id(): string {
    return `context/${this.contextName}`;
  }
}

export class NamespaceNode {
  readonly kind = 'namespace';
  constructor(
    readonly parent: ContextNode,
    readonly namespace: string,
    /** The only namespace shown (a namespace was chosen): expanded from the start. */
    readonly single: boolean,
  ) {}
  get id(): string {
    return `${this.parent.id}/ns/${this.namespace}`;
  }
}

/** A page of a long pod list: the view stays usable with thousands of pods. */
export class PodPageNode {
  readonly kind = 'podPage';
  constructor(
    readonly parent: NamespaceNode,
    readonly first: number,
    public pods: readonly PodNode[],
  ) {}
  get id(): string {
    return `${this.parent.id}/page/${this.first}`;
  }
}

export class PodNode {
  readonly kind = 'pod';
  constructor(
    readonly parent: NamespaceNode,
    public pod: V1Pod,
  ) {}
  get uid(): string {
    return podUid(this.pod);
  }
  get name(): string {
    return this.pod.metadata?.name ?? '';
  }
  get namespace(): string {
    return this.parent.namespace;
  }
  get id(): string {
    return `${this.parent.id}/pod/${this.uid}`;
  }
}

export class ContainerNode {
  readonly kind = 'container';
  constructor(
    readonly parent: PodNode,
    readonly container: PodContainer,
    /** The container the extension lists the processes of its PID namespace from. */
    readonly inspector: boolean,
    /** Undefined when the pod's processes are not known (not listed yet, or listing failed). */
    readonly processes: readonly NestedProcess[] | undefined,
    readonly mainPid: number | undefined,
    /** Its image has no shell (exec of sh failed): a debug container makes it inspectable. */
    readonly noShell: boolean,
    /** The PID namespace its processes live in (see pidNamespaceKey). */
    readonly pidNamespace: string,
  ) {}
  get id(): string {
    return `${this.parent.id}/c/${this.container.name}`;
  }
}

/** PID 1 of a shared pod: the pod sandbox (pause). */
export class SandboxNode {
  readonly kind = 'sandbox';
  constructor(
    readonly parent: PodNode,
    readonly process: ProcessInfo,
  ) {}
  get id(): string {
    return `${this.parent.id}/sandbox`;
  }
}

/** Processes no evidence places under a container: shown apart, never guessed. */
export class UnknownContainerNode {
  readonly kind = 'unknownContainer';
  constructor(
    readonly parent: PodNode,
    readonly processes: readonly NestedProcess[],
    /** The PID namespace they were listed in (see pidNamespaceKey). */
    readonly pidNamespace: string,
  ) {}
  get id(): string {
    return `${this.parent.id}/unknown${this.pidNamespace ? `/${this.pidNamespace}` : ''}`;
  }
}

export class ProcessTreeNode {
  readonly kind = 'process';
  constructor(
    readonly pod: PodNode,
    /** The container the process runs in; undefined under "unknown container". */
    readonly container: string | undefined,
    readonly process: ProcessInfo,
    readonly children: readonly NestedProcess[],
    readonly parentId: string,
    /** CPU use between the two last samples, when the refresh interval is on. */
    readonly cpuPercent: number | undefined,
    readonly isMain: boolean,
    /** The PID namespace it was listed in (see pidNamespaceKey): its PID means something there. */
    readonly pidNamespace: string,
  ) {}
  get id(): string {
    // PID and start time: a reused PID is another process.
    return `${this.parentId}/p/${this.process.pid}-${this.process.startTicks}`;
  }
}

/** An empty or failed state, with the action that helps. */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly parentId: string,
    readonly key: string,
    readonly message: string,
    readonly severity: MessageSeverity,
    readonly action?: Command,
  ) {}
  get id(): string {
    return `${this.parentId}/message/${this.key}`;
  }
}
