// Where the real test node keeps things and which addresses it uses. One node per machine: the
// kubelet's cgroups (/kubepods), its node IP and its CNI bridge are machine-wide.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../scripts/testNode.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const GO_MODULES = join(REPO_ROOT, 'test', 'cluster', 'go');

/** The Kubernetes release built from the Go module proxy (see README.md for why 1.34). */
export const KUBERNETES_VERSION = 'v1.34.4';
export const ETCD_VERSION = 'v3.6.16';

export const NODE_NAME = 'ppe-node';
/** The node's address, on a link of ours (a bridge without ports): the kubelet refuses a loopback node IP. */
export const NODE_IP = '10.213.0.1';
export const NODE_LINK = 'ppe-node0';
/** The pods' bridge and subnet (podman uses 10.88/10.89). */
export const CNI_BRIDGE = 'ppe-cni0';
export const CNI_NETWORK = 'ppe-pods';
export const POD_SUBNET = '10.214.0.0/24';
export const SERVICE_RANGE = '10.215.0.0/24';
export const SERVICE_IP = '10.215.0.1';

/** Loopback ports (the kubelet's is on NODE_IP). Override the API's with PPE_CLUSTER_PORT. */
export const PORTS = {
  api: Number(process.env.PPE_CLUSTER_PORT) || 16443,
  etcdClient: 12379,
  etcdPeer: 12380,
  registry: 15000,
  kubelet: 10250,
} as const;

/** The image the CRI runs as each pod's sandbox: catatonit as /pause. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** Built binaries and Go's caches, outside the checkout, kept between runs. */
export function clusterCacheDir(): string {
  return join(cacheDir(), 'cluster');
}

/** The running node's state: certificates, etcd data, containerd and kubelet roots, logs. */
export function defaultStateDir(): string {
  return resolve(process.env.PPE_CLUSTER_DIR ?? '/var/lib/ppe-cluster');
}

export interface StatePaths {
  dir: string;
  pki: string;
  logs: string;
  etcdData: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  registryHosts: string;
  cniConf: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogs: string;
  images: string;
  tokens: string;
  adminKubeconfig: string;
  restrictedKubeconfig: string;
  componentKubeconfigs: string;
  record: string;
}

export function statePaths(dir = defaultStateDir()): StatePaths {
  return {
    dir,
    pki: join(dir, 'pki'),
    logs: join(dir, 'logs'),
    etcdData: join(dir, 'etcd'),
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    registryHosts: join(dir, 'containerd', 'hosts'),
    cniConf: join(dir, 'cni'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletConfig: join(dir, 'kubelet-config.yaml'),
    podLogs: join(dir, 'pod-logs'),
    images: join(dir, 'images'),
    tokens: join(dir, 'pki', 'tokens.csv'),
    adminKubeconfig: join(dir, 'admin.kubeconfig'),
    restrictedKubeconfig: join(dir, 'restricted.kubeconfig'),
    componentKubeconfigs: join(dir, 'components'),
    record: join(dir, 'cluster.json'),
  };
}
