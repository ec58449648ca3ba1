// Debian packages the tests, the test host and the sandbox need, installed with apt-get when root.
import { execFileSync, spawnSync } from 'node:child_process';

export const SYSTEM_PACKAGES = {
  chromium: 'drives the code-server test host (playwright-core)',
  'fonts-ipafont-gothic': 'Japanese text in Chromium (the Japanese screenshot and in-editor run)',
  'libkrb5-dev': "code-server's native modules build against gssapi",
  podman: 'runs the sandbox cluster’s pods',
  runc: "podman's runtime here (crun fails on hybrid cgroups)",
  catatonit: 'the pod sandbox process (PID 1) of podman pods',
  'busybox-static': "the sandbox's busybox image",
  'nginx-light': "the sandbox's nginx image",
  openssl: "the sandbox API's TLS certificate",
  python3: 'the sandbox’s pty helper (podman exec -t, kubectl -it in its tests)',
};

export function missingPackages(names = Object.keys(SYSTEM_PACKAGES)) {
  return names.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

/** Installs what is missing as root; otherwise says exactly what to run and throws. */
export function ensureSystemPackages(names = Object.keys(SYSTEM_PACKAGES)) {
  const missing = missingPackages(names);
  if (missing.length === 0) {
    return;
  }
  const command = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${missing.join(', ')}.\nRun as root: apt-get update && ${command.join(' ')}`,
    );
  }
  process.stderr.write(`Installing Debian packages: ${missing.join(', ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync(command[0], command.slice(1), { stdio: 'inherit', env });
}
