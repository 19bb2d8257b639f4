// A registry resource is the generic store plus a strategy (design.md convention 3).
// Strategies hold what differs per kind; registry/generic.ts holds what every kind shares.
import type { FieldError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';

export interface UserInfo { username: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }

export interface RequestContext {
  user: UserInfo;
  dryRun: boolean;
  now: Date;
  fieldManager?: string;
  userAgent?: string;
  /** Set by server-side apply, which computes managedFields itself. */
  managedFieldsDone?: boolean;
  /** Warnings to return in Warning headers. */
  warnings: string[];
}

export interface Strategy {
  /** Kinds whose spec changes bump metadata.generation (set to 1 on create). */
  generation?: boolean;
  /** When true, writes to the main resource keep the old status (status subresource exists). */
  statusSubresource?: boolean;
  /** Dependents are orphaned when a DELETE names no propagation (core/v1 ReplicationControllers). */
  defaultOrphan?: boolean;
  /** Status given on create is kept (nodes register with their capacity). */
  keepStatusOnCreate?: boolean;
  /** PUT on a missing object creates it. */
  allowCreateOnUpdate?: boolean;
  /** Fill fields on create after defaulting (clear status, set phase, ...). */
  prepareForCreate?(obj: Obj, ctx: RequestContext): void;
  /** Fix up an update of the main resource (copy status from old, ...). */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: RequestContext): void;
  /** Extra validation beyond api/validation (cross-object checks done here). */
  validate?(obj: Obj, ctx: RequestContext): FieldError[];
  validateUpdate?(obj: Obj, old: Obj, ctx: RequestContext): FieldError[];
  /** The status subresource: only status changes (plus what the kind allows). */
  prepareForStatusUpdate?(obj: Obj, old: Obj): void;
  validateStatusUpdate?(obj: Obj, old: Obj): FieldError[];
  /** Graceful deletion: return seconds to wait, or 0 to delete now. */
  gracePeriod?(obj: Obj, requested: number | undefined): number;
  /**
   * Deleting does not remove the object but marks it (namespaces: Terminating until their
   * finalizers are done). Returns the object to store instead, or undefined to delete.
   */
  beforeDelete?(obj: Obj, ctx: RequestContext): Obj | undefined;
  /** Kind-specific finalization still pending (a namespace's spec.finalizers): hold deletion. */
  finalizing?(obj: Obj): boolean;
  /** Side effects after a committed create/update/delete (allocators). */
  afterDelete?(obj: Obj): void;
}

export interface Admission {
  /**
   * Mutating admission of a create, after defaulting and before validation (kube-apiserver
   * runs the mutating plugins first, so what they fill in is validated too). Throws ApiError.
   */
  mutateCreate?(ri: ResourceInfo, obj: Obj, ctx: RequestContext): Promise<void>;
  /** Validating admission (and reservations) before a create/update is stored. Throws ApiError to refuse. */
  admit?(op: 'create' | 'update', ri: ResourceInfo, obj: Obj, old: Obj | undefined, ctx: RequestContext): Promise<void>;
  /** Called when a write that admission prepared did not happen (dry run, conflict): release reservations. */
  abort?(op: 'create' | 'update', ri: ResourceInfo, obj: Obj, old: Obj | undefined): void;
  /** Called after an update was stored (release what the old object held and the new does not). */
  committed?(op: 'create' | 'update', ri: ResourceInfo, obj: Obj, old: Obj | undefined): void;
  /** Refuse a deletion (protected namespaces). Throws ApiError. */
  admitDelete?(ri: ResourceInfo, obj: Obj, ctx: RequestContext): void;
  /** Called after an object was deleted (release reservations). */
  deleted?(ri: ResourceInfo, obj: Obj): void;
}
