// The sandbox's state dir: TLS material, token, kubeconfig, stored manifests, the API's pid and log.
// Created on first use; everything secret is written mode 0600.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function defaultStateDir(): string {
  return resolve(process.env.PPE_SANDBOX_DIR ?? join(REPO_ROOT, '.sandbox'));
}

/** The label value that tells this state dir's pods from another sandbox's. */
export function instanceId(stateDir: string): string {
  return createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 10);
}

/** server.json: the running API process. */
export interface ServerRecord {
  pid: number;
  port: number;
  url: string;
}

export interface StatePaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  token: string;
  kubeconfig: string;
  server: string;
  faults: string;
  namespaces: string;
  pods: string;
  log: string;
}

export function statePaths(dir: string): StatePaths {
  const tls = join(dir, 'tls');
  return {
    dir,
    caCert: join(tls, 'ca.crt'),
    caKey: join(tls, 'ca.key'),
    serverCert: join(tls, 'server.crt'),
    serverKey: join(tls, 'server.key'),
    token: join(dir, 'token'),
    kubeconfig: join(dir, 'kubeconfig'),
    server: join(dir, 'server.json'),
    faults: join(dir, 'faults.json'),
    namespaces: join(dir, 'namespaces.json'),
    pods: join(dir, 'pods'),
    log: join(dir, 'api.log'),
  };
}

async function openssl(args: readonly string[]): Promise<void> {
  await execFileAsync('openssl', [...args]);
}

/** A self-signed CA and a loopback server certificate, made once per state dir. */
async function ensureTls(paths: StatePaths): Promise<void> {
  if (existsSync(paths.serverCert) && existsSync(paths.serverKey) && existsSync(paths.caCert)) {
    return;
  }
  const tls = join(paths.dir, 'tls');
  await mkdir(tls, { recursive: true, mode: 0o700 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    ['req', '-x509', ...ec, '-keyout', paths.caKey, '-out', paths.caCert].concat([
      '-days',
      '3650',
      '-subj',
      '/CN=pod-process-explorer-sandbox-ca',
    ]),
  );
  const csr = join(tls, 'server.csr');
  const ext = join(tls, 'server.ext');
  await openssl(['req', ...ec, '-keyout', paths.serverKey, '-out', csr, '-subj', '/CN=127.0.0.1']);
  // Go's TLS (kubectl) checks subjectAltName only.
  await writeFile(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', paths.caCert, '-CAkey', paths.caKey].concat([
      '-CAcreateserial',
      '-out',
      paths.serverCert,
      '-days',
      '3650',
      '-extfile',
      ext,
    ]),
  );
  await rm(csr);
}

async function ensureToken(paths: StatePaths): Promise<string> {
  if (existsSync(paths.token)) {
    return (await readFile(paths.token, 'utf8')).trim();
  }
  const token = randomBytes(24).toString('hex');
  await writeFile(paths.token, `${token}\n`, { mode: 0o600 });
  return token;
}

function kubeconfigText(url: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster:
    server: ${url}
    certificate-authority-data: ${ca}
users:
- name: sandbox
  user:
    token: ${token}
contexts:
- name: sandbox
  context:
    cluster: sandbox
    user: sandbox
    namespace: default
current-context: sandbox
`;
}

export interface PreparedState {
  paths: StatePaths;
  token: string;
}

/** Makes the state dir, its TLS material and token (all kept between runs). */
export async function prepareState(dir: string): Promise<PreparedState> {
  const paths = statePaths(resolve(dir));
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await mkdir(paths.pods, { recursive: true });
  await ensureTls(paths);
  const token = await ensureToken(paths);
  return { paths, token };
}

export async function writeKubeconfig(prepared: PreparedState, url: string): Promise<void> {
  const caPem = await readFile(prepared.paths.caCert, 'utf8');
  await writeFile(prepared.paths.kubeconfig, kubeconfigText(url, caPem, prepared.token), {
    mode: 0o600,
  });
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/** Written to a temporary file and renamed, so another sandbox never reads half a record. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}
