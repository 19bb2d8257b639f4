// Service account tokens for projected volumes through the TokenRequest API
// (POST serviceaccounts/<sa>/token), bound to the pod, cached like the kubelet's token manager:
// a token is fetched again once 80% of its lifetime has passed (or it is older than 24 h),
// and forgotten with its pod.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { KubeClient } from '../../client/interface.js';

const SERVICEACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const MAX_TTL_MS = 24 * 3600 * 1000;

export interface TokenSpec {
  namespace: string;
  serviceAccount: string;
  audience?: string;
  expirationSeconds: number;
  pod: { name: string; uid: string };
}

interface Cached { token: string; expiresAt: number; ttlSeconds: number; podUID: string }

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly client: KubeClient, private readonly clock: Clock = realClock) {}

  private key(s: TokenSpec): string {
    return JSON.stringify([s.serviceAccount, s.namespace, s.audience ?? null, s.expirationSeconds, s.pod.name, s.pod.uid]);
  }

  /** When a cached token must be fetched again (ms since the epoch). */
  private refreshAt(c: Cached): number {
    const issuedAt = c.expiresAt - c.ttlSeconds * 1000;
    return Math.min(issuedAt + MAX_TTL_MS, c.expiresAt - c.ttlSeconds * 200);
  }

  /** A token for the spec: the cached one while it is fresh, else a new TokenRequest. */
  async get(s: TokenSpec): Promise<string> {
    const k = this.key(s);
    const c = this.cache.get(k);
    if (c && this.clock.now() < this.refreshAt(c)) return c.token;
    try {
      const tr = await this.request(s);
      this.cache.set(k, tr);
      return tr.token;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!c) throw new Error(`failed to fetch token: ${why}`);
      if (this.clock.now() >= c.expiresAt) throw new Error(`token ${k} expired and refresh failed: ${why}`);
      return c.token; // not yet expired: still better than none (the kubelet does the same)
    }
  }

  private async request(s: TokenSpec): Promise<Cached> {
    const body: Obj = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(s.audience ? { audiences: [s.audience] } : {}),
        expirationSeconds: s.expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: s.pod.name, uid: s.pod.uid },
      },
    };
    const tr = await this.client.subresource('POST', SERVICEACCOUNTS, s.namespace, s.serviceAccount, 'token', body);
    const token = tr.status?.token;
    if (typeof token !== 'string' || !token) throw new Error(`the TokenRequest for serviceaccount ${s.namespace}/${s.serviceAccount} returned no token`);
    const ttlSeconds = Number(tr.spec?.expirationSeconds ?? s.expirationSeconds);
    const exp = Date.parse(tr.status?.expirationTimestamp ?? '');
    const expiresAt = Number.isFinite(exp) ? exp : this.clock.now() + ttlSeconds * 1000;
    return { token, expiresAt, ttlSeconds, podUID: s.pod.uid };
  }

  /** The earliest refresh due among a pod's tokens, or undefined. */
  nextRefresh(podUID: string): number | undefined {
    let next: number | undefined;
    for (const c of this.cache.values()) {
      if (c.podUID !== podUID) continue;
      const at = this.refreshAt(c);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  forgetPod(podUID: string): void {
    for (const [k, c] of this.cache) if (c.podUID === podUID) this.cache.delete(k);
  }
}
