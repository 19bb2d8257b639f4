// spec.podFailurePolicy and spec.successPolicy evaluation (upstream pod_failure_policy.go and
// success_policy.go), with upstream's message texts.

import type { Obj } from '../../api/types.js';
import { Intervals } from './indexed.js';

export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PolicyMatch {
  /** Set when a FailJob rule matched: the Job's failure message. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (false for Ignore). */
  countFailed: boolean;
  action?: PodFailureAction;
}

function matchingContainer(statuses: Obj[] | undefined, req: Obj): Obj | undefined {
  for (const cs of statuses ?? []) {
    const t = cs.state?.terminated;
    if (!t) continue; // still terminating: no exit code to match
    if (req.containerName && req.containerName !== cs.name) continue;
    const code = t.exitCode ?? 0;
    if (code === 0) continue;
    const values: number[] = req.values ?? [];
    if (req.operator === 'In' ? values.includes(code) : req.operator === 'NotIn' ? !values.includes(code) : false) return cs;
  }
  return undefined;
}

function matchingCondition(pod: Obj, patterns: Obj[]): Obj | undefined {
  for (const c of pod.status?.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? 'True')) return c;
  }
  return undefined;
}

/** The first rule of the policy that matches this failed pod decides. */
export function matchPodFailurePolicy(policy: Obj | undefined, pod: Obj): PolicyMatch {
  if (!policy) return { countFailed: true };
  const rules: Obj[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    let what: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (!cs) continue;
      what = `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${cs.state.terminated.exitCode} matching ${rule.action} rule at index ${i}`;
    } else if (rule.onPodConditions) {
      const c = matchingCondition(pod, rule.onPodConditions);
      if (!c) continue;
      what = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${c.type} matching ${rule.action} rule at index ${i}`;
    } else continue;
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' };
      case 'FailIndex': return { countFailed: true, action: 'FailIndex' };
      case 'Count': return { countFailed: true, action: 'Count' };
      case 'FailJob': return { failJobMessage: what, countFailed: true, action: 'FailJob' };
    }
    // An unknown action decides nothing: the next rule is tried.
  }
  return { countFailed: true };
}

/** Rule index-range intersection against succeeded indexes (matchSucceededIndexesRule). */
function matchSucceededIndexesRule(rule: Intervals, succeeded: Intervals, succeededCount: number | undefined): boolean {
  let contains = 0;
  let s = 0;
  let r = 0;
  const R = rule.list;
  const S = succeeded.list;
  while (r < R.length && s < S.length) {
    const overlap = Math.min(R[r].last, S[s].last) - Math.max(R[r].first, S[s].first) + 1;
    if (overlap > 0) contains += overlap;
    if (S[s].last < R[r].last) s++;
    else if (S[s].last > R[r].last) r++;
    else {
      s++;
      r++;
    }
  }
  return contains === rule.total() || (succeededCount !== undefined && contains >= succeededCount);
}

/** "Matched rules at index N" when a successPolicy rule is satisfied. */
export function matchSuccessPolicy(policy: Obj | undefined, completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.list.length === 0) return undefined;
  const rules: Obj[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (typeof rule.succeededIndexes === 'string') {
      const required = Intervals.parse(rule.succeededIndexes, completions);
      if (required.list.length === 0) continue;
      if (matchSucceededIndexesRule(required, succeeded, rule.succeededCount)) return `Matched rules at index ${i}`;
    } else if (typeof rule.succeededCount === 'number' && succeeded.total() >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
