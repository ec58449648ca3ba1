// The node's certificates, service-account keys, static bearer tokens and kubeconfigs, made with
// openssl once per state dir. Everything secret is written mode 0600.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE_IP, NODE_NAME, SERVICE_IP, type StatePaths } from './layout';

const execFileAsync = promisify(execFile);

/** A user of the API, authenticated by a static token (kube-apiserver --token-auth-file). */
export interface TokenUser {
  name: string;
  groups: readonly string[];
}

export const USERS = {
  admin: { name: 'ppe-admin', groups: ['system:masters'] },
  /** Bound to the built-in `view` ClusterRole: may read pods, never exec or attach. */
  restricted: { name: 'ppe-restricted', groups: [] },
  kubelet: { name: `system:node:${NODE_NAME}`, groups: ['system:nodes'] },
  controllerManager: { name: 'system:kube-controller-manager', groups: [] },
  scheduler: { name: 'system:kube-scheduler', groups: [] },
} as const satisfies Record<string, TokenUser>;

export type UserKey = keyof typeof USERS;

export interface Pki {
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
  kubeletCert: string;
  kubeletKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokens: Record<UserKey, string>;
}

async function openssl(args: readonly string[]): Promise<void> {
  await execFileAsync('openssl', [...args]);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function signed(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: { cert: string; key: string },
): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await openssl(['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  await writeFile(ext, extensions);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'].concat([
      '-out',
      join(dir, `${name}.crt`),
      '-days',
      '3650',
      '-extfile',
      ext,
    ]),
  );
  await rm(csr);
  await rm(ext);
}

const SERVER = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n';

/** Makes what is missing and returns the paths and tokens. */
export async function ensurePki(paths: StatePaths): Promise<Pki> {
  const dir = paths.pki;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  if (!existsSync(ca.cert)) {
    await openssl(
      ['req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-days', '3650'].concat([
        '-subj',
        '/CN=pod-process-explorer-test-cluster-ca',
      ]),
    );
  }
  if (!existsSync(join(dir, 'apiserver.crt'))) {
    const names = [
      'IP:127.0.0.1',
      `IP:${NODE_IP}`,
      `IP:${SERVICE_IP}`,
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ];
    await signed(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      `${SERVER}extendedKeyUsage=serverAuth\nsubjectAltName=${names.join(',')}\n`,
      ca,
    );
  }
  if (!existsSync(join(dir, 'apiserver-kubelet-client.crt'))) {
    // The API server's identity towards the kubelet (exec, attach, logs go through it).
    await signed(
      dir,
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      `${SERVER}extendedKeyUsage=clientAuth\n`,
      ca,
    );
  }
  if (!existsSync(join(dir, 'kubelet.crt'))) {
    await signed(
      dir,
      'kubelet',
      `/CN=${NODE_NAME}`,
      `${SERVER}extendedKeyUsage=serverAuth\nsubjectAltName=IP:${NODE_IP},DNS:${NODE_NAME}\n`,
      ca,
    );
  }
  const saKey = join(dir, 'service-account.key');
  const saPub = join(dir, 'service-account.pub');
  if (!existsSync(saPub)) {
    await openssl(
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'].concat(['-out', saKey]),
    );
    await openssl(['pkey', '-in', saKey, '-pubout', '-out', saPub]);
  }
  return {
    caCert: ca.cert,
    caKey: ca.key,
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    kubeletClientCert: join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(dir, 'apiserver-kubelet-client.key'),
    kubeletCert: join(dir, 'kubelet.crt'),
    kubeletKey: join(dir, 'kubelet.key'),
    serviceAccountKey: saKey,
    serviceAccountPub: saPub,
    tokens: await ensureTokens(paths),
  };
}

async function ensureTokens(paths: StatePaths): Promise<Record<UserKey, string>> {
  const keys = Object.keys(USERS) as UserKey[];
  const stored = join(paths.pki, 'tokens.json');
  if (existsSync(stored)) {
    return JSON.parse(await readFile(stored, 'utf8')) as Record<UserKey, string>;
  }
  const tokens = Object.fromEntries(
    keys.map((key) => [key, randomBytes(24).toString('hex')]),
  ) as Record<UserKey, string>;
  await writeFile(stored, `${JSON.stringify(tokens)}\n`, { mode: 0o600 });
  // token,user,uid,"group1,group2"
  const lines = keys.map((key) => {
    const user = USERS[key];
    return `${tokens[key]},${user.name},${user.name},"${user.groups.join(',')}"`;
  });
  await writeFile(paths.tokens, `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

export async function writeKubeconfig(
  path: string,
  options: { server: string; caCert: string; user: string; token: string; context: string },
): Promise<void> {
  const ca = (await readFile(options.caCert)).toString('base64');
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: ppe-cluster
  cluster:
    server: ${options.server}
    certificate-authority-data: ${ca}
users:
- name: ${options.user}
  user:
    token: ${options.token}
contexts:
- name: ${options.context}
  context:
    cluster: ppe-cluster
    user: ${options.user}
    namespace: default
current-context: ${options.context}
`,
    { mode: 0o600 },
  );
}
