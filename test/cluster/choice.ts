// PPE_TEST_CLUSTER picks the cluster the in-editor tests and `npm start` use: `sandbox` (the
// default: our API in front of podman, with fault switches and synthetic pods) or `real` (the
// single node of this folder: etcd, kube-apiserver, kubelet, containerd).
import { applySeed, connectCluster, startCluster, stopCluster, type Cluster } from './index';

export type ClusterKind = 'real' | 'sandbox';

export function chosenCluster(env: NodeJS.ProcessEnv = process.env): ClusterKind {
  const value = env.PPE_TEST_CLUSTER ?? 'sandbox';
  if (value !== 'real' && value !== 'sandbox') {
    throw new Error(`PPE_TEST_CLUSTER must be "real" or "sandbox", not "${value}"`);
  }
  return value;
}

export interface UsedCluster {
  cluster: Cluster;
  /** Stops the node if this call started it; a node that was up already stays up. */
  release: () => Promise<void>;
}

/** The running node (with the seed pod applied), or a new one that `release` stops again. */
export async function useRealCluster(log: (line: string) => void): Promise<UsedCluster> {
  const running = await connectCluster();
  if (running) {
    log(`using the running node (${running.server})`);
    await applySeed(running.record, log);
    return { cluster: running, release: () => Promise.resolve() };
  }
  const cluster = await startCluster({ seed: true, log });
  return {
    cluster,
    release: async () => {
      const problems = await stopCluster(cluster.stateDir, log);
      if (problems.length) {
        throw new Error(`the node's down left: ${problems.join('; ')}`);
      }
    },
  };
}
