// The node's images: the sandbox's busybox and nginx (built from the host's Debian binaries) and a
// pause image (catatonit as /pause, as in the sandbox's pods). Each is saved from podman as an OCI
// archive, imported into containerd under the names manifests use, and unpacked as an OCI layout
// for the node's registry (the kubelet pulls `nginx`, i.e. nginx:latest, with policy Always).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureImages as ensureSandboxImages, importFolder } from '../sandbox/images';
import { podman } from '../sandbox/podman';
import { PAUSE_IMAGE, type StatePaths } from './layout';

const execFileAsync = promisify(execFile);
const CATATONIT = '/usr/bin/catatonit';

export interface NodeImage {
  /** The local podman image. */
  source: string;
  /** Repository path in the registry (what containerd asks its docker.io mirror for). */
  repository: string;
  /** Names containerd holds it under. */
  names: readonly string[];
}

async function ensurePauseImage(log: (line: string) => void): Promise<string> {
  const { stdout } = await execFileAsync('sha256sum', [CATATONIT]);
  const ref = `localhost/ppe-cluster-pause:${stdout.slice(0, 12)}`;
  const exists = await podman(['image', 'exists', ref]).then(
    () => true,
    () => false,
  );
  if (!exists) {
    log(`building ${ref}`);
    const root = await mkdtemp(join(tmpdir(), 'ppe-pause-'));
    try {
      await copyFile(CATATONIT, join(root, 'pause'));
      // -P: catatonit as a pause container (sits, reaps orphans: PID 1 of a shared pod).
      await importFolder(root, ref, ['/pause', '-P']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return ref;
}

export async function nodeImages(log: (line: string) => void): Promise<NodeImage[]> {
  const sandbox = await ensureSandboxImages(log);
  const pause = await ensurePauseImage(log);
  return [
    {
      source: sandbox.nginx,
      repository: 'library/nginx',
      names: ['docker.io/library/nginx:latest'],
    },
    {
      source: sandbox.busybox,
      repository: 'library/busybox',
      names: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.28'],
    },
    {
      source: pause,
      repository: PAUSE_IMAGE.replace(/^registry\.k8s\.io\//, '').replace(/:.*$/, ''),
      names: [PAUSE_IMAGE],
    },
  ];
}

/** Saves each image as an archive and a layout under the state dir; returns the layouts. */
export async function saveImages(
  paths: StatePaths,
  images: readonly NodeImage[],
): Promise<{ image: NodeImage; archive: string; layout: string }[]> {
  await mkdir(paths.images, { recursive: true });
  const saved = [];
  for (const image of images) {
    const name = image.repository.replace(/\//g, '_');
    const archive = join(paths.images, `${name}.tar`);
    const layout = join(paths.images, name);
    await rm(archive, { force: true });
    await podman(['save', '--format', 'oci-archive', '-o', archive, image.source]);
    await mkdir(layout, { recursive: true });
    await execFileAsync('tar', ['-x', '-f', archive, '-C', layout]);
    saved.push({ image, archive, layout });
  }
  return saved;
}

/** Imports the archives into containerd's k8s.io namespace (the CRI's) under their names. */
export async function importImages(
  socket: string,
  saved: readonly { image: NodeImage; archive: string }[],
): Promise<void> {
  const ctr = (...args: string[]) =>
    execFileAsync('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args]);
  for (const { image, archive } of saved) {
    await ctr('images', 'import', archive);
    for (const name of image.names) {
      await ctr('images', 'tag', '--force', image.source, name);
    }
  }
}
