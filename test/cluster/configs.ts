// Config files of containerd, CNI and the kubelet, and the components' command lines.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Binaries } from './build';
import {
  CNI_BRIDGE,
  CNI_NETWORK,
  NODE_IP,
  NODE_NAME,
  PAUSE_IMAGE,
  POD_SUBNET,
  PORTS,
  SERVICE_RANGE,
  type StatePaths,
} from './layout';
import type { Pki } from './pki';

const CNI_PLUGINS = '/usr/lib/cni';

export function componentKubeconfig(paths: StatePaths, component: string): string {
  return join(paths.componentKubeconfigs, `${component}.kubeconfig`);
}

export async function writeConfigs(paths: StatePaths, pki: Pki): Promise<void> {
  await mkdir(paths.containerdState, { recursive: true });
  await mkdir(paths.containerdRoot, { recursive: true });
  await mkdir(paths.cniConf, { recursive: true });
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  // restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so runc could not lower the pause
  // process's oom score and every pod would fail. runc's Root keeps its state in our dir.
  await writeFile(
    paths.containerdConfig,
    `version = 2
root = "${paths.containerdRoot}"
state = "${paths.containerdState}"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "${paths.containerdSocket}"

[ttrpc]
  address = "${paths.containerdSocket}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(paths.containerdRoot, 'opt')}"

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  BinaryName = "/usr/sbin/runc"
  Root = "${join(paths.containerdState, 'runc')}"
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = "${CNI_PLUGINS}"
  conf_dir = "${paths.cniConf}"

[${cri}.registry]
  config_path = "${paths.registryHosts}"
`,
  );
  // Pulls from docker.io and registry.k8s.io go to the node's registry (registry.ts).
  for (const [host, upstream] of [
    ['docker.io', 'https://registry-1.docker.io'],
    ['registry.k8s.io', 'https://registry.k8s.io'],
  ]) {
    await mkdir(join(paths.registryHosts, host), { recursive: true });
    await writeFile(
      join(paths.registryHosts, host, 'hosts.toml'),
      `server = "${upstream}"\n\n[host."http://127.0.0.1:${PORTS.registry}"]\n  capabilities = ["pull", "resolve"]\n`,
    );
  }
  await writeFile(
    join(paths.cniConf, '10-ppe-pods.conflist'),
    `${JSON.stringify(
      {
        cniVersion: '1.0.0',
        name: CNI_NETWORK,
        plugins: [
          {
            type: 'bridge',
            bridge: CNI_BRIDGE,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]] },
          },
          { type: 'portmap', capabilities: { portMappings: true } },
          { type: 'loopback' },
        ],
      },
      null,
      2,
    )}\n`,
  );
  await mkdir(paths.kubeletRoot, { recursive: true });
  await mkdir(paths.podLogs, { recursive: true });
  // cgroupfs: runc runs with SystemdCgroup = false and there is no systemd. oomScoreAdj 0: no
  // CAP_SYS_RESOURCE to lower it. Image GC off: the images cannot be pulled again from anywhere
  // but our registry. Eviction thresholds low: shared disks here can be nearly full.
  await writeFile(
    paths.kubeletConfig,
    `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: ${PORTS.kubelet}
readOnlyPort: 0
healthzPort: 0
containerRuntimeEndpoint: unix://${paths.containerdSocket}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
tlsCertFile: ${pki.kubeletCert}
tlsPrivateKeyFile: ${pki.kubeletKey}
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: ${pki.caCert}
authorization:
  mode: AlwaysAllow
podLogsDir: ${paths.podLogs}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 50Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
serializeImagePulls: false
resolvConf: /etc/resolv.conf
clusterDomain: cluster.local
staticPodPath: ""
registerNode: true
`,
  );
}

/** Each component's program and arguments, in start order after containerd and etcd. */
export function commandLines(paths: StatePaths, pki: Pki, bin: Binaries) {
  const api = `https://127.0.0.1:${PORTS.api}`;
  return {
    etcd: [
      bin.etcd,
      '--name=ppe',
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-cluster=ppe=http://127.0.0.1:${PORTS.etcdPeer}`,
      // A throwaway test store on shared, busy disks: fsync would only add latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    kubeApiserver: [
      bin.kubeApiserver,
      '--bind-address=127.0.0.1',
      `--secure-port=${PORTS.api}`,
      `--advertise-address=${NODE_IP}`,
      `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${paths.tokens}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      `--service-cluster-ip-range=${SERVICE_RANGE}`,
      `--service-account-issuer=${api}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      `--kubelet-certificate-authority=${pki.caCert}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--profiling=false',
    ],
    kubeControllerManager: [
      bin.kubeControllerManager,
      `--kubeconfig=${componentKubeconfig(paths, 'kube-controller-manager')}`,
      `--authentication-kubeconfig=${componentKubeconfig(paths, 'kube-controller-manager')}`,
      `--authorization-kubeconfig=${componentKubeconfig(paths, 'kube-controller-manager')}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--service-cluster-ip-range=${SERVICE_RANGE}`,
      '--profiling=false',
    ],
    kubeScheduler: [
      bin.kubeScheduler,
      `--kubeconfig=${componentKubeconfig(paths, 'kube-scheduler')}`,
      `--authentication-kubeconfig=${componentKubeconfig(paths, 'kube-scheduler')}`,
      `--authorization-kubeconfig=${componentKubeconfig(paths, 'kube-scheduler')}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--leader-elect=false',
      '--profiling=false',
    ],
    kubelet: [
      bin.kubelet,
      `--config=${paths.kubeletConfig}`,
      `--kubeconfig=${componentKubeconfig(paths, 'kubelet')}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${NODE_IP}`,
      '--v=1',
    ],
  };
}
