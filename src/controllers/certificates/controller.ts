// The CSR signer, as kube-controller-manager's csrsigning controller for the client
// signers: kubernetes.io/kube-apiserver-client and kubernetes.io/kube-apiserver-client-kubelet.
// An Approved (not Failed, not yet issued) request for one of them is checked against the
// signer's rules; a request that breaks them gets a Failed condition (SignerValidationFailure),
// the rest a certificate from the cluster CA, written through /status. Other signer names
// (kubelet-serving, legacy-unknown, anyone else's) are left to their own signers. Keys are
// CSR names.

import { findResource } from '../../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';
import { certDuration, DEFAULT_DURATION_MS, parseRequest, requestInfo, signRequest, type CaPem, type RequestInfo } from './sign.js';

export const CSRS: ResourceRef = findResource('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';

export interface CSRSigningOptions {
  client: KubeClient;
  csrs: Informer;
  /** Cluster CA certificate and private key PEMs. */
  ca: CaPem;
  /** Longest certificate issued (--cluster-signing-duration); default one year. */
  maxDurationMs?: number;
  workers?: number;
  log?: Logger;
}

const hasTrue = (csr: Obj, type: string): boolean =>
  ((csr.status?.conditions ?? []) as Obj[]).some((c) => c?.type === type && c?.status === 'True');

/** validAPIServerClientUsages: client auth required; digital signature, key encipherment optional. */
function checkClientUsages(usages: string[]): void {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'client auth') clientAuth = true;
    else if (u !== 'digital signature' && u !== 'key encipherment') throw new Error(`invalid usage for client certificate: ${u}`);
  }
  if (!clientAuth) throw new Error('missing required usage for client certificate: client auth');
}

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

/** ValidateKubeletClientCSR. */
function checkKubeletClient(info: RequestInfo, usages: string[]): void {
  if (info.orgs.length !== 1 || info.orgs[0] !== 'system:nodes') throw new Error('subject organization is not system:nodes');
  if (info.dns.length) throw new Error('DNS subjectAltNames are not allowed');
  if (info.emails.length) throw new Error('Email subjectAltNames are not allowed');
  if (info.ips.length) throw new Error('IP subjectAltNames are not allowed');
  if (info.uris.length) throw new Error('URI subjectAltNames are not allowed');
  if (!info.cn.startsWith('system:node:')) throw new Error('subject common name does not begin with system:node:');
  const u = [...new Set(usages)];
  if (!sameSet(u, ['client auth', 'digital signature', 'key encipherment']) && !sameSet(u, ['client auth', 'digital signature'])) {
    throw new Error('usages did not match [client auth digital signature key encipherment]');
  }
}

export class CSRSigningController {
  readonly queue: WorkQueue<string>;
  private readonly log: Logger;

  constructor(private readonly o: CSRSigningOptions) {
    this.queue = new WorkQueue<string>();
    this.log = o.log ?? stderrLogger('csrsigning');
    const enqueue = (csr: Obj): void => this.queue.add(csr.metadata.name);
    o.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, csr) => enqueue(csr) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'csrsigning', queue: this.queue, informers: [this.o.csrs],
      workers: this.o.workers ?? 1, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(name: string, signal?: AbortSignal): Promise<void> {
    const cached = this.o.csrs.store.get('', name);
    if (!cached) return;
    if (!hasTrue(cached, 'Approved') || hasTrue(cached, 'Failed') || cached.status?.certificate) return;
    const signer = cached.spec?.signerName;
    if (signer !== KUBE_APISERVER_CLIENT && signer !== KUBE_APISERVER_CLIENT_KUBELET) return;
    const usages: string[] = cached.spec?.usages ?? [];
    let req;
    try {
      req = await parseRequest(Buffer.from(cached.spec?.request ?? '', 'base64').toString('latin1'));
    } catch (err) {
      throw new Error(`unable to parse csr "${name}": ${(err as Error).message}`);
    }
    const csr = clone(cached);
    try {
      if (signer === KUBE_APISERVER_CLIENT) checkClientUsages(usages);
      else checkKubeletClient(await requestInfo(req), usages);
    } catch (err) {
      const now = nowRFC3339();
      csr.status = { ...(csr.status ?? {}) };
      csr.status.conditions = [...(csr.status.conditions ?? []), {
        type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: (err as Error).message,
        lastUpdateTime: now, lastTransitionTime: now,
      }];
      await this.writeStatus(csr, signal);
      return;
    }
    const duration = certDuration(cached.spec?.expirationSeconds, this.o.maxDurationMs ?? DEFAULT_DURATION_MS);
    const pem = await signRequest(this.o.ca, req, usages, duration);
    csr.status = { ...(csr.status ?? {}), certificate: Buffer.from(pem).toString('base64') };
    await this.writeStatus(csr, signal);
  }

  private async writeStatus(csr: Obj, signal?: AbortSignal): Promise<void> {
    try {
      await this.o.client.updateStatus(CSRS, '', csr, { signal });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile
      throw err; // a conflict retries against the newer object
    }
  }
}
