// How the API server reaches a node's kubelet (kube-apiserver's NodeConnectionInfoGetter and
// kubelet client): HTTPS to the node's InternalIP on status.daemonEndpoints.kubeletEndpoint
// (10250 by default), verified with the cluster CA, authenticated with the API server's
// kubelet client certificate (CN kube-apiserver-kubelet-client, O system:masters).
//
// A node whose address is one of this host's own interfaces is the local kubelet: it is
// dialled on 127.0.0.1 instead, so the stream never depends on how that address routes.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';

export interface KubeletClientConfig {
  /** PEM client certificate and key the API server presents to kubelets. */
  cert?: string;
  key?: string;
  /** PEM CA that signs kubelet serving certificates (the cluster CA). */
  ca: string;
}

export const DEFAULT_KUBELET_PORT = 10250;
/** Address types tried in order, as k3s configures --kubelet-preferred-address-types. */
const ADDRESS_TYPES = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'Hostname'];
const DIAL_TIMEOUT_MS = 30_000;

export interface KubeletTarget {
  nodeName: string;
  /** The node's address as the Node object reports it. */
  address: string;
  /** What is dialled: the address, or 127.0.0.1 for this host's own kubelet. */
  host: string;
  port: number;
}

export type UpgradeResult =
  | { upgraded: true; res: IncomingMessage; socket: Socket; head: Buffer }
  | { upgraded: false; res: IncomingMessage };

export interface UpgradeRequest {
  method?: string;
  /** Path and query on the kubelet. */
  path: string;
  /** Header name → value(s); several values go out as several header lines. */
  headers: Record<string, string | string[]>;
}

/** Every address of this host's interfaces. */
export function hostAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** host:port as Go prints it (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A dial or TLS failure in the words Go's net and crypto/tls packages use (kubectl prints them). */
export function dialErrorMessage(e: Error & { code?: string }, t: KubeletTarget): string {
  const at = hostPort(t.host, t.port);
  switch (e.code) {
    case 'ECONNREFUSED': return `dial tcp ${at}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${at}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${at}: connect: network is unreachable`;
    case 'ETIMEDOUT': return `dial tcp ${at}: i/o timeout`;
    case 'ECONNRESET': return `read tcp ${at}: read: connection reset by peer`;
    case 'ENOTFOUND': return `dial tcp: lookup ${t.host}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default: return e.message;
  }
}

export class KubeletDialError extends Error {}

export class KubeletClient {
  constructor(private readonly cfg: KubeletClientConfig, private readonly localAddresses: () => Set<string> = hostAddresses) {}

  /** Where a node's kubelet is reached. Errors as kube-apiserver's connection info getter. */
  target(node: Obj): KubeletTarget {
    const addrs: Obj[] = node.status?.addresses ?? [];
    let address = '';
    for (const type of ADDRESS_TYPES) {
      address = addrs.find((a) => a.type === type && a.address)?.address ?? '';
      if (address) break;
    }
    if (!address) {
      const known = addrs.map((a) => `{${a.type} ${a.address}}`).join(' ');
      throw new ApiError(500, '', `no preferred addresses found; known addresses: [${known}]`);
    }
    const p = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
    const port = Number.isInteger(p) && p > 0 ? p : DEFAULT_KUBELET_PORT;
    const host = this.localAddresses().has(address) ? '127.0.0.1' : address;
    return { nodeName: node.metadata.name, address, host, port };
  }

  private tlsOptions(t: KubeletTarget) {
    return {
      host: t.host, port: t.port, ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key,
      agent: false as const,
      // the kubelet's certificate names the node's address; when that address is dialled
      // on loopback, the certificate must still name one of the two
      checkServerIdentity: (_h: string, cert: PeerCertificate) => {
        const err = checkServerIdentity(t.address, cert);
        if (!err || t.host === t.address) return err;
        return checkServerIdentity(t.host, cert) ? err : undefined;
      },
    };
  }

  /** A plain GET (container logs). Rejects with KubeletDialError when the kubelet cannot be reached. */
  get(t: KubeletTarget, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ ...this.tlsOptions(t), method: 'GET', path, signal }, (res) => {
        req.setTimeout(0);
        resolve(res);
      });
      req.setTimeout(DIAL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(new KubeletDialError(dialErrorMessage(e, t))));
      req.end();
    });
  }

  /**
   * An upgrade request (SPDY or WebSocket). Resolves with the upgraded socket on 101, or
   * with the response otherwise (its body unread); rejects with KubeletDialError when the
   * kubelet cannot be reached.
   */
  upgrade(t: KubeletTarget, r: UpgradeRequest): Promise<UpgradeResult> {
    return new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...r.headers };
      const req = request({ ...this.tlsOptions(t), method: r.method ?? 'POST', path: r.path, headers });
      req.setTimeout(DIAL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
      req.on('upgrade', (res, socket, head) => {
        req.setTimeout(0);
        socket.setTimeout(0);
        socket.setNoDelay(true);
        resolve({ upgraded: true, res, socket, head });
      });
      req.on('response', (res) => {
        req.setTimeout(0);
        resolve({ upgraded: false, res });
      });
      req.on('error', (e) => reject(new KubeletDialError(dialErrorMessage(e, t))));
      req.end();
    });
  }
}

/** Reads at most `limit` bytes of a response body (error responses). */
export async function readLimited(res: IncomingMessage, limit = 50 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(c.subarray(0, limit - size));
    size += c.length;
  }
  return Buffer.concat(chunks);
}

// Which kubelet client an API server uses. Kept beside the cluster object rather than in it
// so the handlers that need it (logs, exec, attach, port-forward) can find it from there.
const clients = new WeakMap<object, KubeletClient>();

export function bindKubeletClient(owner: object, client: KubeletClient): void {
  clients.set(owner, client);
}

export function kubeletClientOf(owner: object): KubeletClient {
  const c = clients.get(owner);
  if (!c) throw new ApiError(503, 'ServiceUnavailable', 'this API server has no kubelet client configured');
  return c;
}
