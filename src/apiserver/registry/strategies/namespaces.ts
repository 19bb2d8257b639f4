// Namespaces: Active on create with the "kubernetes" finalizer; deleting one marks it
// Terminating and the namespace controller empties it and clears spec.finalizers through
// the finalize subresource; then the namespace is removed.
import type { Obj } from '../../../api/types.js';
import { nowRFC3339 } from '../../../api/types.js';
import type { Strategy } from '../strategy.js';

export const namespaceStrategy: Strategy = {
  statusSubresource: true,
  prepareForCreate(obj) {
    // the "kubernetes" finalizer is always there; others a client asks for are kept
    const asked: string[] = Array.isArray(obj.spec?.finalizers) ? obj.spec.finalizers.filter((f: unknown) => typeof f === 'string') : [];
    obj.spec = { finalizers: ['kubernetes', ...asked.filter((f) => f !== 'kubernetes')] };
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through /finalize
    obj.spec = old.spec;
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  },
  finalizing: (obj: Obj) => (obj.spec?.finalizers ?? []).length > 0,
  beforeDelete(obj: Obj, ctx) {
    if (!namespaceStrategy.finalizing!(obj)) return undefined;
    if (!obj.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = nowRFC3339(ctx.now);
      obj.metadata.deletionGracePeriodSeconds = 0;
    }
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    return obj;
  },
};

/** The finalize subresource: only spec.finalizers changes. */
export function finalizeNamespace(desired: Obj, current: Obj): Obj {
  const out: Obj = JSON.parse(JSON.stringify(current));
  out.spec = { ...(current.spec ?? {}), finalizers: desired.spec?.finalizers ?? [] };
  if (out.spec.finalizers.length === 0) delete out.spec.finalizers;
  return out;
}
