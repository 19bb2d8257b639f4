// The small client surface every component codes against. RestClient implements it over
// HTTPS; FakeClient (fake.ts) implements it in memory for unit tests. Controllers take a
// KubeClient, never a RestClient, so they can be tested without a server.

import type { Obj } from '../api/types.js';

/**
 * Which resource a call addresses. A ResourceInfo from src/api/resources.ts fits, and so does
 * a bare { group, version, plural } (custom resources). `namespace` arguments decide whether
 * the path carries /namespaces/NS: pass '' (or undefined) for cluster-scoped resources and
 * for lists across all namespaces.
 */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind?: string;
  namespaced?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** Per-call options shared by every verb. */
export interface CallOptions {
  signal?: AbortSignal;
  /** dryRun=All */
  dryRun?: boolean;
  fieldManager?: string;
  /** For apply patches: force=true. */
  force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ObjList {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: Obj;
}

/** The four patch content types kube-apiserver accepts. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type SubresourceMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface KubeClient {
  get(res: ResourceRef, namespace: string | undefined, name: string, opts?: CallOptions): Promise<Obj>;
  list(res: ResourceRef, namespace: string | undefined, opts?: ListOptions & CallOptions): Promise<ObjList>;
  create(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj>;
  /** PUT to obj.metadata.name; carries obj.metadata.resourceVersion for optimistic locking. */
  update(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj>;
  /** PUT .../status */
  updateStatus(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj>;
  /** `patch` is an object/array (serialised as JSON) or, for apply, YAML/JSON text. */
  patch(res: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: CallOptions & { subresource?: string }): Promise<Obj>;
  /** Returns the deleted object (or the object with deletionTimestamp when finalizers hold it), or a Status. */
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<Obj>;
  deleteCollection(res: ResourceRef, namespace: string | undefined, opts?: DeleteOptions & ListOptions): Promise<Obj>;
  /** Any subresource call, e.g. PUT namespaces/NAME/finalize. */
  subresource(method: SubresourceMethod, res: ResourceRef, namespace: string | undefined, name: string, subresource: string, body?: Obj, opts?: CallOptions): Promise<Obj>;
  /**
   * A watch stream. Iteration ends when the server closes the stream or `opts.signal` aborts;
   * an ERROR event is thrown as ApiError (ResourceExpiredError for 410) and ends the stream.
   */
  watch(res: ResourceRef, namespace: string | undefined, opts?: WatchOptions & CallOptions): AsyncIterable<WatchEvent>;
}
