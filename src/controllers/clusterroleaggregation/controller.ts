// ClusterRole aggregation, as kube-controller-manager's clusterrole-aggregation controller:
// a ClusterRole with aggregationRule.clusterRoleSelectors gets as its rules the union of
// the rules of every other ClusterRole that any selector matches — selectors in order,
// matching roles by name, each rule once (semantic equality: an empty list equals an
// absent one). The rules are written by server-side apply, field manager
// "clusterrole-aggregation-controller", forced. Keys are aggregated role names.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { WorkQueue } from '../../client/workqueue.js';

export const CLUSTER_ROLES: ResourceRef = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
export const FIELD_MANAGER = 'clusterrole-aggregation-controller';
const RULE_FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

export interface ClusterRoleAggregationOptions {
  client: KubeClient;
  clusterRoles: Informer;
  workers?: number;
  log?: Logger;
}

/** A rule in canonical form: field order fixed, empty lists dropped (nil == empty upstream). */
function canonical(rule: Obj): string {
  const out: Obj = {};
  for (const f of RULE_FIELDS) if (Array.isArray(rule?.[f]) && rule[f].length) out[f] = rule[f];
  return JSON.stringify(out);
}

/** The aggregated rules of `role` from the roles in `all` (upstream's syncClusterRole order). */
export function aggregateRules(role: Obj, all: Obj[]): Obj[] {
  const byName = [...all].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const rules: Obj[] = [];
  const seen = new Set<string>();
  for (const sel of (role.aggregationRule?.clusterRoleSelectors ?? []) as Obj[]) {
    const matches = labelSelectorMatcher(sel ?? {});
    for (const other of byName) {
      if (other.metadata.name === role.metadata.name || !matches(other.metadata.labels ?? {})) continue;
      for (const rule of (other.rules ?? []) as Obj[]) {
        const k = canonical(rule);
        if (seen.has(k)) continue;
        seen.add(k);
        rules.push(rule);
      }
    }
  }
  return rules;
}

function sameRules(a: Obj[], b: Obj[]): boolean {
  return a.length === b.length && a.every((r, i) => canonical(r) === canonical(b[i]));
}

export class ClusterRoleAggregationController {
  readonly queue: WorkQueue<string>;
  private readonly log: Logger;

  constructor(private readonly o: ClusterRoleAggregationOptions) {
    this.queue = new WorkQueue<string>();
    this.log = o.log ?? stderrLogger('clusterrole-aggregation');
    // Any change may alter what some aggregated role selects: requeue every aggregated role.
    const enqueueAll = (): void => {
      for (const r of o.clusterRoles.store.list()) if (r.aggregationRule) this.queue.add(r.metadata.name);
    };
    o.clusterRoles.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'clusterrole-aggregation', queue: this.queue, informers: [this.o.clusterRoles],
      workers: this.o.workers ?? 1, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(name: string, signal?: AbortSignal): Promise<void> {
    const role = this.o.clusterRoles.store.get('', name);
    if (!role?.aggregationRule) return;
    const rules = aggregateRules(role, this.o.clusterRoles.store.list());
    if (sameRules(rules, role.rules ?? [])) return;
    const body = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
    try {
      await this.o.client.patch(CLUSTER_ROLES, '', name, 'apply', JSON.stringify(body), { fieldManager: FIELD_MANAGER, force: true, signal });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile
      throw err;
    }
  }
}
