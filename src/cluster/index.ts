// The cluster layer's public API (bundled as dist/cluster.js, loaded lazily). It knows no view.
export {
  ClusterError,
  configureClusterL10n,
  toClusterError,
  type ClusterErrorContext,
  type ClusterErrorDetails,
  type ClusterErrorKind,
} from './clusterErrors';
export { ClusterSession, type ClusterSessionOptions } from './clusterSession';
export {
  addDebugContainer,
  checkDebugAccess,
  type AddDebugContainerRequest,
} from './debugContainers';
export type {
  Disposable,
  ExecChannel,
  ExecChannelRequest,
  ExecChannelResult,
  ExecRequest,
  ExecResult,
} from './exec';
export { EXEC_PROTOCOLS, type ExecProtocol } from './execProtocol';
export {
  kubeconfigPaths,
  loadKubeconfig,
  mergeKubeconfigs,
  type KubeconfigContext,
  type KubeconfigFile,
  type KubeconfigPathOptions,
  type LoadedKubeconfig,
  type MergedKubeconfig,
} from './kubeconfig';
export type { PodChangeType, PodWatchListener } from './podWatch';
export { listPodProcesses, type PodProcesses, type PodProcessesRequest } from './podProcesses';
