// The default profile (kube-scheduler's default plugin set for v1 configs), in upstream's
// order — Filter order decides which reason a node reports — with upstream's score weights.

import type { Handle, Plugin } from '../framework.js';
import { newBalancedAllocation } from './balancedallocation/plugin.js';
import { newDefaultBinder } from './defaultbinder/plugin.js';
import { newDefaultPreemption, type DefaultPreemptionArgs } from './defaultpreemption/plugin.js';
import { newInterPodAffinity } from './interpodaffinity/plugin.js';
import { newNodeAffinity } from './nodeaffinity/plugin.js';
import { newNodeName } from './nodename/plugin.js';
import { newNodePorts } from './nodeports/plugin.js';
import { newNodeResourcesFit, type FitArgs } from './noderesourcesfit/plugin.js';
import { newNodeUnschedulable } from './nodeunschedulable/plugin.js';
import { newPodTopologySpread } from './podtopologyspread/plugin.js';
import { newPrioritySort } from './queuesort/plugin.js';
import { newSchedulingGates } from './schedulinggates/plugin.js';
import { newTaintToleration } from './tainttoleration/plugin.js';
import { newVolumeBinding } from './volumebinding/plugin.js';

export const DEFAULT_SCORE_WEIGHTS: Record<string, number> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
};

export interface DefaultPluginArgs {
  fit?: FitArgs;
  preemption?: DefaultPreemptionArgs;
}

export function defaultPlugins(h: Handle, args: DefaultPluginArgs = {}): Plugin[] {
  return [
    newSchedulingGates(),
    newPrioritySort(),
    newNodeUnschedulable(),
    newNodeName(),
    newTaintToleration(),
    newNodeAffinity(),
    newNodePorts(),
    newNodeResourcesFit(args.fit),
    newVolumeBinding(h),
    newPodTopologySpread(h),
    newInterPodAffinity(h),
    newDefaultPreemption(h, args.preemption),
    newBalancedAllocation(),
    newDefaultBinder(h),
  ];
}
