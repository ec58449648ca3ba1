// A read-only image registry on loopback, containerd's mirror for docker.io and registry.k8s.io:
// no registry is reachable here, and the kubelet pulls every image whose policy is Always
// (`image: nginx` means nginx:latest, so Always). It serves the OCI layouts that `up` saved from the
// local images; any tag of a known name answers with that name's one image, as the sandbox maps
// them. Unknown names get 404, so the kubelet reports ErrImagePull as with a real registry.
//
//   node --import tsx test/cluster/registry.ts <port> <name>=<layout dir>...
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

interface Layout {
  dir: string;
  manifestDigest: string;
  manifestType: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

async function readLayout(dir: string): Promise<Layout> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; mediaType: string }[];
  };
  const [manifest] = index.manifests;
  if (!manifest || !DIGEST.test(manifest.digest)) {
    throw new Error(`${dir}/index.json names no manifest`);
  }
  return { dir, manifestDigest: manifest.digest, manifestType: manifest.mediaType };
}

function blobPath(layout: Layout, digest: string): string {
  return join(layout.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function send(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  type: string,
  digest: string,
): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    notFound(response, 'BLOB_UNKNOWN');
    return;
  }
  response.writeHead(200, {
    'Content-Type': type,
    'Content-Length': info.size,
    'Docker-Content-Digest': digest,
  });
  if (request.method === 'HEAD') {
    response.end();
  } else {
    createReadStream(path).pipe(response);
  }
}

function notFound(response: ServerResponse, code: string): void {
  const body = JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] });
  response.writeHead(404, { 'Content-Type': 'application/json' });
  response.end(body);
}

function serve(layouts: Map<string, Layout>, port: number): void {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://registry');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      return;
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const layout = match ? layouts.get(match[1]) : undefined;
    if (!match || !layout) {
      notFound(response, 'NAME_UNKNOWN');
      return;
    }
    const [, , kind, reference] = match;
    if (kind === 'manifests' && !DIGEST.test(reference)) {
      void send(
        request,
        response,
        blobPath(layout, layout.manifestDigest),
        layout.manifestType,
        layout.manifestDigest,
      );
    } else if (DIGEST.test(reference)) {
      const type =
        reference === layout.manifestDigest ? layout.manifestType : 'application/octet-stream';
      void send(request, response, blobPath(layout, reference), type, reference);
    } else {
      notFound(response, 'MANIFEST_UNKNOWN');
    }
  });
  server.listen(port, '127.0.0.1');
}

async function main(): Promise<void> {
  const [port, ...pairs] = process.argv.slice(2);
  const layouts = new Map<string, Layout>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    layouts.set(pair.slice(0, at), await readLayout(pair.slice(at + 1)));
  }
  serve(layouts, Number(port));
}

main().catch((error: unknown) => {
  process.stderr.write(`registry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
