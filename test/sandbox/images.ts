// Builds the sandbox's images from the host's Debian packages (no registry is reachable): a folder
// tarred into `podman import`. Tags carry a hash of the recipe and the binaries, so a build is
// skipped when podman already holds the same content.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { LABEL, podman, podmanEnv } from './podman';

const execFileAsync = promisify(execFile);

/** Bump when a recipe below changes in a way the binaries' hashes do not show. */
const RECIPE_VERSION = '1';
const BUSYBOX = '/bin/busybox';
const NGINX = '/usr/sbin/nginx';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const NGINX_CONF = `user nginx;
worker_processes 1;
pid /var/run/nginx.pid;
error_log stderr;

events {
    worker_connections 64;
}

http {
    include /etc/nginx/mime.types;
    access_log off;
    server {
        listen 80;
        root /usr/share/nginx/html;
    }
}
`;

export interface SandboxImages {
  busybox: string;
  nginx: string;
}

/** Debian packages the sandbox needs, by the program that shows each one is installed. */
/** Debian packages the sandbox runs on (installed by scripts/systemPackages.mjs). */
export const SANDBOX_PACKAGES: readonly string[] = [
  'podman',
  'runc',
  'catatonit',
  'busybox-static',
  'nginx-light',
  'openssl',
  'python3',
];

async function contentTag(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(RECIPE_VERSION);
  for (const file of files) {
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 12);
}

async function imageExists(ref: string): Promise<boolean> {
  try {
    await podman(['image', 'exists', ref]);
    return true;
  } catch {
    return false;
  }
}

/** Copies a host file to the same absolute path under `root`. */
async function copyIn(root: string, file: string, target = file): Promise<void> {
  await mkdir(join(root, dirname(target)), { recursive: true });
  await copyFile(file, join(root, target));
}

async function writeIn(root: string, path: string, text: string): Promise<void> {
  await mkdir(join(root, dirname(path)), { recursive: true });
  await writeFile(join(root, path), text);
}

export async function importFolder(
  root: string,
  ref: string,
  cmd: readonly string[],
): Promise<void> {
  // tar's stdout feeds podman's stdin directly: no shell pipeline.
  const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const imp = spawn(
    'podman',
    [
      'import',
      '--change',
      `ENV ${PATH_ENV}`,
      '--change',
      `CMD ${JSON.stringify(cmd)}`,
      '--change',
      `LABEL ${LABEL}=1`,
      '-',
      ref,
    ],
    { env: podmanEnv(), stdio: ['pipe', 'ignore', 'pipe'] },
  );
  tar.stdout.pipe(imp.stdin);
  let errors = '';
  tar.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  imp.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = (child: typeof tar | typeof imp) =>
    new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
  const [tarCode, importCode] = await Promise.all([exited(tar), exited(imp)]);
  if (tarCode !== 0 || importCode !== 0) {
    throw new Error(`building ${ref} failed: ${errors.trim()}`);
  }
}

async function buildBusybox(ref: string): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'ppe-busybox-'));
  try {
    await copyIn(root, BUSYBOX);
    const { stdout } = await execFileAsync(BUSYBOX, ['--list-full']);
    for (const applet of stdout.split('\n').filter(Boolean)) {
      if (`/${applet}` === BUSYBOX) {
        continue;
      }
      await mkdir(join(root, dirname(applet)), { recursive: true });
      await symlink(BUSYBOX, join(root, applet));
    }
    await writeIn(
      root,
      '/etc/passwd',
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    await writeIn(root, '/etc/group', 'root:x:0:\nnogroup:x:65534:\n');
    for (const dir of ['/root', '/tmp', '/proc', '/sys', '/dev']) {
      await mkdir(join(root, dir), { recursive: true });
    }
    await importFolder(root, ref, ['sh']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function buildNginx(ref: string): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'ppe-nginx-'));
  try {
    await copyIn(root, NGINX);
    const { stdout } = await execFileAsync('ldd', [NGINX]);
    // Lines look like "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux… (0x…)".
    for (const match of stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)) {
      await copyIn(root, match[1]);
    }
    await copyIn(root, '/etc/nginx/mime.types');
    await writeIn(root, '/etc/nginx/nginx.conf', NGINX_CONF);
    await writeIn(
      root,
      '/usr/share/nginx/html/index.html',
      '<h1>Pod Process Explorer sandbox</h1>\n',
    );
    await writeIn(
      root,
      '/etc/passwd',
      'root:x:0:0:root:/root:/bin/false\nnginx:x:101:101:nginx:/var/lib/nginx:/bin/false\n',
    );
    await writeIn(root, '/etc/group', 'root:x:0:\nnginx:x:101:\n');
    for (const dir of [
      '/var/lib/nginx',
      '/var/log/nginx',
      '/var/run',
      '/run',
      '/tmp',
      '/proc',
      '/sys',
      '/dev',
    ]) {
      await mkdir(join(root, dir), { recursive: true });
    }
    await importFolder(root, ref, ['nginx', '-g', 'daemon off;']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Returns the local image references, building those podman does not hold yet. */
export async function ensureImages(log: (line: string) => void = () => {}): Promise<SandboxImages> {
  const busybox = `localhost/ppe-sandbox-busybox:${await contentTag([BUSYBOX])}`;
  const nginx = `localhost/ppe-sandbox-nginx:${await contentTag([NGINX])}`;
  if (!(await imageExists(busybox))) {
    log(`building ${busybox}`);
    await buildBusybox(busybox);
  }
  if (!(await imageExists(nginx))) {
    log(`building ${nginx}`);
    await buildNginx(nginx);
  }
  return { busybox, nginx };
}

/**
 * Maps a manifest's image to a local one, so manifests written for a real cluster run unchanged.
 * Returns undefined for images the sandbox cannot provide.
 */
export function mapImage(images: SandboxImages, image: string): string | undefined {
  const withoutRegistry = image.replace(/^(docker\.io\/)?(library\/)?/, '');
  const name = withoutRegistry.replace(/[:@].*$/, '');
  if (name === 'busybox') {
    return images.busybox;
  }
  if (name === 'nginx') {
    return images.nginx;
  }
  return undefined;
}
