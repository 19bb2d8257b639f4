// The pod row: the one table users read most, so its STATUS/READY/RESTARTS logic follows
// kube-apiserver 1.32's printPod step by step (init containers, sidecars, waiting and
// terminated reasons, Completed-but-still-running, Terminating, NodeLost).

import type { Obj } from '../types.js';
import { ageCol, ageOf, col, containerCells, nameCol, nameOf, wide, type Printer, type PrintedRow } from './columns.js';
import { formatLabels } from '../selectors/labels.js';
import { humanDuration, parseTime } from './duration.js';

/** Reason the node lifecycle controller sets on pods of an unreachable node. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const SUCCEEDED_CONDITIONS = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED_CONDITIONS = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** A sidecar: an init container with restartPolicy Always keeps running beside the app. */
const isRestartableInit = (c: Obj | undefined): boolean => c?.restartPolicy === 'Always';

const isTerminalPhase = (phase: string): boolean => phase === 'Failed' || phase === 'Succeeded';

function conditionTrue(conds: Obj[] | undefined, type: string): boolean {
  for (const c of conds ?? []) if (c?.type === type) return c.status === 'True';
  return false;
}

/** Keeps the latest lastState.terminated.finishedAt seen; unset times never win. */
function later(current: number | undefined, status: Obj): number | undefined {
  const t = parseTime(status?.lastState?.terminated?.finishedAt);
  if (t === undefined) return current;
  return current === undefined || current < t ? t : current;
}

export function printPod(pod: Obj, now: Date): PrintedRow {
  const spec: Obj = pod.spec ?? {};
  const status: Obj = pod.status ?? {};
  const initSpecs: Obj[] = spec.initContainers ?? [];
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const row: PrintedRow = { cells: [] };
  if (phase === 'Succeeded') row.conditions = SUCCEEDED_CONDITIONS;
  else if (phase === 'Failed') row.conditions = FAILED_CONDITIONS;

  const initByName = new Map<string, Obj>();
  for (const c of initSpecs) {
    initByName.set(c?.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }

  // The first init container that has not finished decides the status.
  let initializing = false;
  const initStatuses: Obj[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const state: Obj = cs.state ?? {};
    const sidecar = isRestartableInit(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, cs);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, cs);
    }
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (state.terminated) {
      const t = state.terminated;
      if (!t.reason) reason = t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode ?? 0}`;
      else reason = `Init:${t.reason}`;
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: Obj[] = status.containerStatuses ?? [];
    // Walk backwards so the first container's reason is the one left standing.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      const state: Obj = cs.state ?? {};
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, cs);
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode ?? 0}`;
      else if (cs.ready && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A container that completed while another still runs: the pod is not "Completed".
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (deleting && !isTerminalPhase(phase)) reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }

  const podIP: string = status.podIPs?.[0]?.ip || status.podIP || '<none>';
  const nodeName: string = spec.nodeName || '<none>';
  const nominated: string = status.nominatedNodeName || '<none>';
  let gates = '<none>';
  const readinessGates: Obj[] = spec.readinessGates ?? [];
  if (readinessGates.length > 0) {
    let trueCount = 0;
    for (const g of readinessGates) {
      const c = (status.conditions ?? []).find((x: Obj) => x?.type === g?.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    gates = `${trueCount}/${readinessGates.length}`;
  }

  row.cells = [nameOf(pod), `${readyContainers}/${totalContainers}`, reason, restartsCell, ageOf(pod, now), podIP, nodeName, nominated, gates];
  return row;
}

export const podPrinter: Printer = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Ready containers out of all containers (sidecars included).'),
    col('Status', 'string', 'Summary of the pod phase and its containers\' states.'),
    col('Restarts', 'string', 'Container restarts, and how long ago the latest one happened.'),
    ageCol(),
    wide('IP', 'string', 'The pod\'s (first) IP address.'),
    wide('Node', 'string', 'Node the pod is bound to.'),
    wide('Nominated Node', 'string', 'Node the scheduler nominated while preempting for this pod.'),
    wide('Readiness Gates', 'string', 'Readiness gates that are True out of all gates.'),
  ],
  print: printPod,
};

/** PodTemplate: what the template would run, and the pod labels it stamps. */
export const podTemplatePrinter: Printer = {
  columns: [
    nameCol(),
    col('Containers', 'string', 'Names of the containers in the template.'),
    col('Images', 'string', 'Images the containers in the template run.'),
    col('Pod Labels', 'string', 'Labels the template gives its pods.'),
  ],
  print: (o) => {
    const [names, images] = containerCells(o.template?.spec?.containers);
    return { cells: [nameOf(o), names, images, formatLabels(o.template?.metadata?.labels)] };
  },
};
