// A tiny read-only OCI distribution registry, for tests only: plain HTTP on loopback,
// optional Basic auth, serving the images of OCI layout archives (oci/image.ts) under
// repository:tag names. Enough of the distribution API for containerd's resolver and
// fetcher: GET /v2/ (the auth check), HEAD/GET /v2/<name>/manifests/<tag|digest> (index
// or manifest, with its media type and Docker-Content-Digest), HEAD/GET
// /v2/<name>/blobs/<digest>. Missing or wrong credentials get 401 with
// `WWW-Authenticate: Basic realm=...` and the registry's UNAUTHORIZED error body.
//
// Run by hand (scenarios): node dist/kubelet/runtime/testregistry.js --port P
//   [--user U --password W] [--repo library/busybox] [--tag 1.0[,2.0...]] [--archive FILE]
//   [--stamp TEXT]
// (no --archive: the busybox image built from this machine's busybox, with --stamp plus a
// layer holding /etc/registry-stamp = TEXT); prints
// "listening PORT", then "METHOD path status" per request.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildOciImage, MEDIA } from './oci/image.js';
import { readTar } from './oci/tar.js';

export interface RegistryImage {
  /** Repository, e.g. "library/busybox". */
  repository: string;
  tag: string;
  /** An OCI layout archive (what buildOciImage returns). */
  archive: Buffer;
}

export interface TestRegistryOptions {
  images: RegistryImage[];
  /** Basic auth; none: anonymous access. */
  auth?: { username: string; password: string };
  port?: number;
  host?: string;
  /** Called with "METHOD path status" after each request. */
  onRequest?: (line: string) => void;
}

export interface TestRegistry {
  port: number;
  /** "127.0.0.1:PORT": the registry part of image references. */
  hostPort: string;
  /** "METHOD path status" of every request, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

interface Repo { tags: Map<string, string>; manifests: Map<string, { type: string; body: Buffer }>; blobs: Map<string, Buffer> }

/** The blobs, manifests and tag of one archive, added to the repository. */
function loadArchive(repo: Repo, img: RegistryImage): void {
  const files = new Map(readTar(img.archive).map((r) => [r.path.replace(/^\.\//, ''), r.data]));
  const index = files.get('index.json');
  if (!index) throw new Error(`${img.repository}:${img.tag}: not an OCI layout archive (no index.json)`);
  for (const [path, data] of files) {
    const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
    if (m) repo.blobs.set(`sha256:${m[1]}`, data);
  }
  const desc = (JSON.parse(index.toString('utf8')) as { manifests: { mediaType: string; digest: string }[] }).manifests[0];
  if (!desc) throw new Error(`${img.repository}:${img.tag}: the archive's index lists no manifest`);
  for (const [digest, body] of repo.blobs) {
    const mt = (() => { try { return (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType; } catch { return undefined; } })();
    if (mt === MEDIA.manifest || mt === MEDIA.index) repo.manifests.set(digest, { type: mt, body });
  }
  repo.tags.set(img.tag, desc.digest);
}

function unauthorized(res: ServerResponse, head: boolean): void {
  const body = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
  res.writeHead(401, {
    'WWW-Authenticate': 'Basic realm="skiff-test-registry"',
    'Content-Type': 'application/json; charset=utf-8',
    'Docker-Distribution-API-Version': 'registry/2.0',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

function notFound(res: ServerResponse, head: boolean, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function authorized(req: IncomingMessage, auth: TestRegistryOptions['auth']): boolean {
  if (!auth) return true;
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  return Buffer.from(m[1], 'base64').toString('utf8') === `${auth.username}:${auth.password}`;
}

export async function startTestRegistry(o: TestRegistryOptions): Promise<TestRegistry> {
  const repos = new Map<string, Repo>();
  for (const img of o.images) {
    let r = repos.get(img.repository);
    if (!r) repos.set(img.repository, (r = { tags: new Map(), manifests: new Map(), blobs: new Map() }));
    loadArchive(r, img);
  }
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    res.on('finish', () => {
      const line = `${req.method} ${path} ${res.statusCode}`;
      requests.push(line);
      o.onRequest?.(line);
    });
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (!authorized(req, o.auth)) return unauthorized(res, head);
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end(head ? undefined : '{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const repo = m ? repos.get(m[1]) : undefined;
    if (!m || !repo) return notFound(res, head, 'NAME_UNKNOWN', 'repository name not known to registry');
    const ref = decodeURIComponent(m[3]);
    if (m[2] === 'manifests') {
      const digest = ref.startsWith('sha256:') ? ref : repo.tags.get(ref);
      const man = digest ? repo.manifests.get(digest) : undefined;
      if (!digest || !man) return notFound(res, head, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'Content-Type': man.type, 'Content-Length': man.body.length, 'Docker-Content-Digest': digest });
      res.end(head ? undefined : man.body);
      return;
    }
    const blob = repo.blobs.get(ref);
    if (!blob) return notFound(res, head, 'BLOB_UNKNOWN', 'blob unknown to registry');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length, 'Docker-Content-Digest': ref });
    res.end(head ? undefined : blob);
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port, hostPort: `${host}:${port}`, requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const user = arg('user'), password = arg('password');
  const file = arg('archive');
  const stamp = arg('stamp');
  let archive: Buffer;
  if (file) archive = readFileSync(file);
  else if (stamp === undefined) archive = (await import('./images.js')).buildBusyboxImage().archive;
  else {
    // busybox plus a layer with /etc/registry-stamp: an image no node has yet, so a pull
    // must fetch its manifest, config and that layer from here
    const im = await import('./images.js');
    const bb = im.findBusybox();
    archive = buildOciImage({
      name: `registry.local/${arg('repo') ?? 'library/busybox'}:stamped`,
      layers: [im.busyboxEntries(bb, im.busyboxApplets(bb)), [{ type: 'file', path: 'etc/registry-stamp', data: Buffer.from(`${stamp}\n`) }]],
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
      createdBy: 'skiff test registry',
    }).archive;
  }
  const reg = await startTestRegistry({
    images: (arg('tag') ?? '1.0').split(',').map((tag) => ({ repository: arg('repo') ?? 'library/busybox', tag, archive })),
    auth: user !== undefined ? { username: user, password: password ?? '' } : undefined,
    port: Number(arg('port') ?? 0),
    onRequest: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`listening ${reg.port}\n`);
  const stop = (): void => { void reg.close().then(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`testregistry: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  });
}
