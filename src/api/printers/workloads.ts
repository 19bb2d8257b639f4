// Printers for apps/v1 and batch/v1 workloads (kube-apiserver 1.32 column sets and cells).

import type { Obj } from '../types.js';
import { formatLabels, formatLabelSelector, fromLabelSelectorObject } from '../selectors/labels.js';
import {
  ageCol, ageOf, boolPtr, col, containerCells, containersCol, imagesCol, n, nameCol, nameOf, selectorCol, type Printer,
} from './columns.js';
import { humanDuration, parseTime, since } from './duration.js';

export const replicaSetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Number of replicas requested.'),
    col('Current', 'integer', 'Number of replicas observed.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return {
      cells: [nameOf(o), n(o.spec?.replicas), n(o.status?.replicas), n(o.status?.readyReplicas), ageOf(o, now), names, images, formatLabelSelector(o.spec?.selector)],
    };
  },
};

export const deploymentPrinter: Printer = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Ready replicas out of desired replicas.'),
    col('Up-to-date', 'string', 'Replicas running the latest pod template.'),
    col('Available', 'string', 'Replicas available to serve.'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    // Deployments print the raw selector string ("" when empty), "<invalid>" when broken.
    let selector: string;
    try {
      selector = fromLabelSelectorObject(o.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return {
      cells: [
        nameOf(o), `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, n(o.status?.updatedReplicas), n(o.status?.availableReplicas),
        ageOf(o, now), names, images, selector,
      ],
    };
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameCol(), col('Ready', 'string', 'Ready replicas out of desired replicas.'), ageCol(), containersCol(), imagesCol()],
  print: (o, now) => {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return { cells: [nameOf(o), `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, ageOf(o, now), names, images] };
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the latest daemon pod template.'),
    col('Available', 'integer', 'Nodes whose daemon pod is available.'),
    col('Node Selector', 'string', 'Node selector of the pod template.'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    const s: Obj = o.status ?? {};
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return {
      cells: [
        nameOf(o), n(s.desiredNumberScheduled), n(s.currentNumberScheduled), n(s.numberReady), n(s.updatedNumberScheduled), n(s.numberAvailable),
        formatLabels(o.spec?.template?.spec?.nodeSelector), ageOf(o, now), names, images, formatLabelSelector(o.spec?.selector),
      ],
    };
  },
};

/** "kind.group/name" of the controlling owner, lowercased; "<none>" without one. */
function controllerName(o: Obj): string {
  const ref = (o.metadata?.ownerReferences ?? []).find((r: Obj) => r?.controller === true);
  if (!ref) return '<none>';
  const apiVersion: string = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind: string = ref.kind ?? '';
  if (!kind && !group) return ref.name ?? '';
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ''}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'The controller that owns this revision.'),
    col('Revision', 'string', 'Revision number.'),
    ageCol(),
  ],
  print: (o, now) => ({ cells: [nameOf(o), controllerName(o), n(o.revision), ageOf(o, now)] }),
};

function jobCondition(o: Obj, type: string): boolean {
  for (const c of o.status?.conditions ?? []) if (c?.type === type) return c.status === 'True';
  return false;
}

export const jobPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Job status: Running, Complete, Failed, Suspended, FailureTarget or Terminating.'),
    col('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    col('Duration', 'string', 'How long the job ran (or has been running).'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    const spec: Obj = o.spec ?? {};
    const succeeded = n(o.status?.succeeded);
    let completions: string;
    if (spec.completions !== undefined && spec.completions !== null) completions = `${succeeded}/${n(spec.completions)}`;
    else if (n(spec.parallelism) > 1) completions = `${succeeded}/1 of ${n(spec.parallelism)}`;
    else completions = `${succeeded}/1`;

    const start = parseTime(o.status?.startTime);
    const end = parseTime(o.status?.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((end ?? now.getTime()) - start);

    let status = 'Running';
    if (jobCondition(o, 'Complete')) status = 'Complete';
    else if (jobCondition(o, 'Failed')) status = 'Failed';
    else if (o.metadata?.deletionTimestamp) status = 'Terminating';
    else if (jobCondition(o, 'Suspended')) status = 'Suspended';
    else if (jobCondition(o, 'FailureTarget')) status = 'FailureTarget';

    const [names, images] = containerCells(spec.template?.spec?.containers);
    return { cells: [nameOf(o), status, completions, duration, ageOf(o, now), names, images, formatLabelSelector(spec.selector)] };
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'Cron schedule.'),
    col('Timezone', 'string', 'Time zone the schedule is interpreted in.'),
    col('Suspend', 'boolean', 'Whether new runs are suspended.'),
    col('Active', 'integer', 'Jobs currently running.'),
    col('Last Schedule', 'string', 'Time since a job was last scheduled.'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    const spec: Obj = o.spec ?? {};
    const last = o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>';
    const jobSpec: Obj = spec.jobTemplate?.spec ?? {};
    const [names, images] = containerCells(jobSpec.template?.spec?.containers);
    return {
      cells: [
        nameOf(o), spec.schedule ?? '', spec.timeZone ?? '<none>', boolPtr(spec.suspend), (o.status?.active ?? []).length, last, ageOf(o, now),
        names, images, formatLabelSelector(jobSpec.selector),
      ],
    };
  },
};

