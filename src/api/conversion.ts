// Conversion between group-versions that share storage: core/v1 Event <-> events.k8s.io/v1
// Event, autoscaling/v2 <-> v1 HorizontalPodAutoscaler. Objects are stored in the version
// of the first resource in the scheme that names the storage (core/v1, autoscaling/v2).
import type { ResourceInfo } from './resources.js';
import type { Obj } from './types.js';

/** Whether objects served at this group-version differ from their stored form (beyond kind and apiVersion). */
export function needsConversion(ri: ResourceInfo): boolean {
  return ri.group === 'events.k8s.io' || (ri.group === 'autoscaling' && ri.version === 'v1');
}

export function convertFromStorage(ri: ResourceInfo, obj: Obj): Obj {
  if (!needsConversion(ri)) return obj;
  return ri.group === 'events.k8s.io' ? coreEventToEventsV1(obj) : hpaV2ToV1(obj);
}

export function convertToStorage(ri: ResourceInfo, obj: Obj): Obj {
  if (ri.group === 'events.k8s.io') return eventsV1ToCoreEvent(obj);
  if (ri.group === 'autoscaling' && ri.version === 'v1') return hpaV1ToV2(obj);
  return obj;
}

function coreEventToEventsV1(e: Obj): Obj {
  const out: Obj = { metadata: e.metadata };
  const set = (k: string, v: unknown) => { if (v !== undefined && v !== null && v !== '') out[k] = v; };
  set('eventTime', e.eventTime ?? null);
  out.eventTime = e.eventTime ?? null;
  set('series', e.series ? { count: e.series.count, lastObservedTime: e.series.lastObservedTime } : undefined);
  set('reportingController', e.reportingComponent ?? e.source?.component);
  set('reportingInstance', e.reportingInstance ?? e.source?.host);
  set('action', e.action);
  set('reason', e.reason);
  set('regarding', e.involvedObject);
  set('related', e.related);
  set('note', e.message);
  set('type', e.type);
  set('deprecatedSource', e.source);
  set('deprecatedFirstTimestamp', e.firstTimestamp);
  set('deprecatedLastTimestamp', e.lastTimestamp);
  set('deprecatedCount', e.count);
  return out;
}

function eventsV1ToCoreEvent(e: Obj): Obj {
  const out: Obj = { metadata: e.metadata, involvedObject: e.regarding ?? {} };
  const set = (k: string, v: unknown) => { if (v !== undefined && v !== null && v !== '') out[k] = v; };
  set('reason', e.reason);
  set('message', e.note);
  set('type', e.type);
  set('eventTime', e.eventTime);
  set('series', e.series);
  set('reportingComponent', e.reportingController);
  set('reportingInstance', e.reportingInstance);
  set('action', e.action);
  set('related', e.related);
  set('source', e.deprecatedSource);
  set('firstTimestamp', e.deprecatedFirstTimestamp);
  set('lastTimestamp', e.deprecatedLastTimestamp);
  set('count', e.deprecatedCount);
  return out;
}

function hpaV2ToV1(h: Obj): Obj {
  const spec = h.spec ?? {};
  const cpu = (spec.metrics ?? []).find((m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization');
  const outSpec: Obj = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (cpu) outSpec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const st = h.status ?? {};
  const cur = (st.currentMetrics ?? []).find((m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const outStatus: Obj = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
  if (st.observedGeneration !== undefined) outStatus.observedGeneration = st.observedGeneration;
  if (st.lastScaleTime) outStatus.lastScaleTime = st.lastScaleTime;
  if (cur?.resource?.current?.averageUtilization !== undefined) outStatus.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
  return { metadata: h.metadata, spec: outSpec, status: outStatus };
}

function hpaV1ToV2(h: Obj): Obj {
  const spec = h.spec ?? {};
  const outSpec: Obj = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    outSpec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  }
  return { metadata: h.metadata, spec: outSpec, status: h.status ? { currentReplicas: h.status.currentReplicas, desiredReplicas: h.status.desiredReplicas } : undefined };
}
