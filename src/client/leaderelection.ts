// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package:
// a candidate takes the lease when it is free or its holder has not renewed it for
// leaseDurationSeconds (measured on the candidate's own clock from when it last saw the record
// change, so clock skew between machines does not matter); the leader renews every retryPeriod
// and steps down when it cannot renew within renewDeadline. On abort the leader releases the
// lease (holder emptied, duration 1 s) so a successor need not wait the lease out.

import { findResource } from '../api/resources.js';
import { nowMicro, type Obj } from '../api/types.js';
import { isNotFound } from './errors.js';
import type { KubeClient, ResourceRef } from './interface.js';
import { errMsg, stderrLogger, type Logger } from './log.js';
import { childController, jitter, sleep } from './wait.js';

export const LEASES: ResourceRef = findResource('coordination.k8s.io', 'v1', 'leases')!;

export interface LeaderElectionConfig {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  /** Defaults as kube-controller-manager: 15 s / 10 s / 2 s. Tests may pass milliseconds. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the lease when the signal aborts (default true). */
  releaseOnCancel?: boolean;
  /** Runs while leading; its signal aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  log?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export class LeaderElector {
  private observed: LeaseSpec = {};
  private observedRaw = '';
  private observedTime = 0;
  private lease?: Obj;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private reportedLeader = '';

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    this.log = cfg.log ?? stderrLogger(`leaderelection ${cfg.namespace}/${cfg.name}`);
  }

  isLeader(): boolean {
    return this.observed.holderIdentity === this.cfg.identity;
  }

  /** The holder last observed ('' when none). */
  getLeader(): string {
    return this.observed.holderIdentity ?? '';
  }

  /** Campaigns, leads until leadership is lost or the signal aborts, then returns. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const { controller: lead, dispose } = childController(signal);
    let leading: Promise<void> = Promise.resolve();
    try {
      leading = Promise.resolve()
        .then(() => this.cfg.onStartedLeading(lead.signal))
        .catch((err) => this.log.error(`onStartedLeading failed: ${errMsg(err)}`));
      await this.renewLoop(signal);
    } finally {
      lead.abort();
      dispose();
      if (signal.aborted && this.cfg.releaseOnCancel !== false) await this.release();
      await leading;
      this.cfg.onStoppedLeading?.();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info(`attempting to acquire leader lease ${this.cfg.namespace}/${this.cfg.name}`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) {
        this.log.info(`successfully acquired lease ${this.cfg.namespace}/${this.cfg.name}`);
        return true;
      }
      if (!(await sleep(jitter(this.retryPeriodMs, 1.2), signal))) break;
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await sleep(this.retryPeriodMs, signal))) return;
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && Date.now() < deadline) {
        const { controller: attempt, dispose } = childController(signal);
        const timer = setTimeout(() => attempt.abort(), Math.max(1, deadline - Date.now()));
        try {
          renewed = await this.tryAcquireOrRenew(attempt.signal);
        } finally {
          clearTimeout(timer);
          dispose();
        }
        if (renewed || signal.aborted) break;
        if (!(await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - Date.now())), signal))) return;
      }
      if (signal.aborted) return;
      if (!renewed) {
        this.log.warn(`failed to renew lease ${this.cfg.namespace}/${this.cfg.name}: timed out`);
        return;
      }
    }
  }

  private observe(spec: LeaseSpec): void {
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) {
      this.observed = spec;
      this.observedRaw = raw;
      this.observedTime = Date.now();
    }
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.cfg.onNewLeader?.(holder);
    }
  }

  /** One attempt: true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name, identity } = this.cfg;
    const now = nowMicro();
    const desired: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      let lease: Obj;
      try {
        lease = await client.get(LEASES, namespace, name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.lease = await client.create(LEASES, namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: desired }, { signal });
        this.observe(desired);
        return true;
      }
      const cur = (lease.spec ?? {}) as LeaseSpec;
      this.observe(cur);
      const holder = cur.holderIdentity ?? '';
      const validUntil = this.observedTime + (cur.leaseDurationSeconds ?? 0) * 1000;
      if (holder && holder !== identity && validUntil > Date.now()) return false;
      if (holder === identity) {
        desired.acquireTime = cur.acquireTime ?? now;
        desired.leaseTransitions = cur.leaseTransitions ?? 0;
      } else {
        desired.leaseTransitions = (cur.leaseTransitions ?? 0) + 1;
      }
      this.lease = await client.update(LEASES, namespace, { ...lease, spec: desired }, { signal });
      this.observe(desired);
      return true;
    } catch (err) {
      if (!signal.aborted) this.log.warn(`error acquiring or renewing lease ${namespace}/${name}: ${errMsg(err)}`);
      return false;
    }
  }

  private async release(): Promise<void> {
    if (!this.isLeader() || !this.lease) return;
    const now = nowMicro();
    try {
      const { client, namespace } = this.cfg;
      await client.update(LEASES, namespace, {
        ...this.lease,
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observed.leaseTransitions ?? 0 },
      });
      this.observe({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observed.leaseTransitions ?? 0 });
      this.log.info(`released lease ${this.cfg.namespace}/${this.cfg.name}`);
    } catch (err) {
      this.log.warn(`failed to release lease: ${errMsg(err)}`);
    }
  }
}

/** Convenience: run one election until the signal aborts or leadership is lost. */
export function runLeaderElection(cfg: LeaderElectionConfig, signal: AbortSignal): Promise<void> {
  return new LeaderElector(cfg).run(signal);
}
