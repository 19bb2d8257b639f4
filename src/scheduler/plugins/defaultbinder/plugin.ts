// DefaultBinder: binds through the API, POST pods/NAME/binding with a Binding to the node
// (the apiserver sets spec.nodeName and the PodScheduled condition).

import { findResource } from '../../../api/resources.js';
import { Status, type BindPlugin, type Handle } from '../../framework.js';
import type { PodInfo } from '../../nodeinfo.js';

export const NAME = 'DefaultBinder';
const PODS = findResource('', 'v1', 'pods')!;

export function newDefaultBinder(h: Pick<Handle, 'client'>): BindPlugin {
  return {
    name: NAME,
    async bind(_state, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
      const m = pod.pod.metadata ?? {};
      const binding = {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: m.name, namespace: m.namespace, ...(m.uid ? { uid: m.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      };
      try {
        await h.client.subresource('POST', PODS, m.namespace, m.name, 'binding', binding, { signal });
      } catch (err) {
        return Status.error(err);
      }
      return null;
    },
  };
}
