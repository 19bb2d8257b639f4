// ObjectMeta, labels, annotations, selectors and the generic helpers every kind uses
// (apimachinery api/validation and apis/meta/v1/validation, plus core's finalizer rule).

import { fe, immutable, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { isQualifiedName, isValidLabelValue, validateNamespaceName, type NameFn } from './names.js';
import { arr, child, goStringSlice, index, isNum, isObj, obj, semanticEqual, str } from './util.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return isNum(value) && value < 0 ? [fe.invalid(path, value, IS_NEGATIVE)] : [];
}

/** ValidateImmutableField with semantic equality. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [immutable(path, newVal)];
}

export function validateLabelName(name: string, path: string): FieldError[] {
  return isQualifiedName(name).map((m) => fe.invalid(path, name, m));
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(labels)) return errs;
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(fe.invalid(path, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(annotations)) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names, except that case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fe.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fe.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export interface LabelSelectorOptions { allowInvalidLabelValueInSelector?: boolean }

export function validateLabelSelectorRequirement(req: Obj, path: string, opts: LabelSelectorOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const op = str(req.operator);
  const values = arr(req.values);
  switch (op) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(fe.required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(fe.forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(fe.invalid(child(path, 'operator'), op, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(req.key), child(path, 'key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(str(v))) errs.push(fe.invalid(index(child(path, 'values'), i), str(v), m));
    });
  }
  return errs;
}

/** metav1.LabelSelector: matchLabels and matchExpressions. */
export function validateLabelSelector(sel: unknown, path: string, opts: LabelSelectorOptions = {}): FieldError[] {
  if (!isObj(sel)) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  arr(sel.matchExpressions).forEach((e, i) => errs.push(...validateLabelSelectorRequirement(obj(e), index(child(path, 'matchExpressions'), i), opts)));
  return errs;
}

/** Does a LabelSelector (matchLabels + matchExpressions) select these labels? Empty selects all. */
export function labelSelectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  if (!isObj(sel)) return false;
  for (const [k, v] of Object.entries(obj(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    const k = str(e?.key);
    const values = arr(e?.values).map(String);
    const present = Object.prototype.hasOwnProperty.call(labels, k);
    switch (e?.operator) {
      case 'In': if (!present || !values.includes(labels[k])) return false; break;
      case 'NotIn': if (present && values.includes(labels[k])) return false; break;
      case 'Exists': if (!present) return false; break;
      case 'DoesNotExist': if (present) return false; break;
      default: return false;
    }
  }
  return true;
}

/** True when the selector has neither matchLabels nor matchExpressions. */
export function labelSelectorEmpty(sel: unknown): boolean {
  return !isObj(sel) || (Object.keys(obj(sel.matchLabels)).length + arr(sel.matchExpressions).length === 0);
}

function validateOwnerReference(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = str(ref.apiVersion);
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]] : parts.length === 2 ? [parts[0], parts[1]] : ['', ''];
  if (!version) errs.push(fe.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
  if (!str(ref.kind)) errs.push(fe.invalid(child(path, 'kind'), str(ref.kind), 'must not be empty'));
  if (!str(ref.name)) errs.push(fe.invalid(child(path, 'name'), str(ref.name), 'must not be empty'));
  if (!str(ref.uid)) errs.push(fe.invalid(child(path, 'uid'), str(ref.uid), 'must not be empty'));
  if (group === '' && version === 'v1' && ref.kind === 'Event') {
    errs.push(fe.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
  }
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of arr(refs)) {
    const ref = obj(r);
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const cur = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController) {
        errs.push(fe.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** core's validateKubeFinalizerName: a name without '/' must be a standard finalizer. */
export function validateKubeFinalizerName(name: string, path: string): FieldError[] {
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [fe.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(finalizers).map(str);
  for (const f of list) for (const m of isQualifiedName(f)) errs.push(fe.invalid(path, f, m));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fe.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateManagedFields(entries: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(entries).forEach((e, i) => {
    const p = index(path, i);
    const op = e?.operation;
    if (op !== 'Apply' && op !== 'Update') errs.push(fe.invalid(child(p, 'operation'), op ?? '', 'must be `Apply` or `Update`'));
    if (e?.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(fe.invalid(child(p, 'fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    const manager = str(e?.manager);
    if (manager.length > 128) errs.push(fe.tooLong(child(p, 'manager'), manager, 128));
    if (str(e?.subresource).length > 256) errs.push(fe.tooLong(child(p, 'subresource'), e.subresource, 256));
  });
  return errs;
}

export interface MetaOptions {
  /** core's extra check on finalizer names (all built-in kinds but the generic fallback). */
  kubeFinalizers?: boolean;
}

/** ValidateObjectMeta on create: name (or generateName) through nameFn, namespace, labels, ... */
export function validateObjectMeta(meta: unknown, namespaced: boolean, nameFn: NameFn, path = 'metadata', opts: MetaOptions = { kubeFinalizers: true }): FieldError[] {
  const m = obj(meta);
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(fe.invalid(child(path, 'generateName'), generateName, msg));
  const name = str(m.name);
  if (!name) errs.push(fe.required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(fe.invalid(child(path, 'name'), name, msg));
  errs.push(...validateMetaCommon(m, namespaced, path));
  if (opts.kubeFinalizers) arr(m.finalizers).forEach((f, i) => errs.push(...validateKubeFinalizerName(str(f), index(child(path, 'finalizers'), i))));
  return errs;
}

function validateMetaCommon(m: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(m.namespace);
  if (namespaced) {
    if (!ns) errs.push(fe.required(child(path, 'namespace')));
    else for (const msg of validateNamespaceName(ns, false)) errs.push(fe.invalid(child(path, 'namespace'), ns, msg));
  } else if (ns) {
    errs.push(fe.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, child(path, 'generation')));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  errs.push(...validateManagedFields(m.managedFields, child(path, 'managedFields')));
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields immutable, resourceVersion required, ... */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path = 'metadata', opts: MetaOptions = { kubeFinalizers: true }): FieldError[] {
  const n = obj(newMeta);
  const o = obj(oldMeta);
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldF = new Set(arr(o.finalizers).map(str));
    const extra = [...new Set(arr(n.finalizers).map(str))].filter((f) => !oldF.has(f)).sort();
    if (extra.length) errs.push(fe.forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
  }
  // Upstream's store gives an unconditional update (no resourceVersion) the stored object's
  // version before validating, so only an object that never had one can fail this.
  if (!str(n.resourceVersion) && !str(o.resourceVersion)) errs.push(fe.invalid(child(path, 'resourceVersion'), '', 'must be specified for an update'));
  if (isNum(n.generation) && isNum(o.generation) && n.generation < o.generation) {
    errs.push(fe.invalid(child(path, 'generation'), n.generation, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    errs.push(...validateImmutableField(n[f], o[f], child(path, f)));
  }
  errs.push(...validateLabels(n.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, child(path, 'managedFields')));
  if (opts.kubeFinalizers) arr(n.finalizers).forEach((f, i) => errs.push(...validateKubeFinalizerName(str(f), index(child(path, 'finalizers'), i))));
  return errs;
}

/** Embedded ObjectMeta that may only carry labels and annotations (PVC templates). */
export function validateTemplateObjectMeta(meta: unknown, path: string): FieldError[] {
  const m = obj(meta);
  const errs = validateAnnotations(m.annotations, child(path, 'annotations'));
  errs.push(...validateLabels(m.labels, child(path, 'labels')));
  for (const [k, v] of Object.entries(m)) {
    if (k === 'labels' || k === 'annotations' || v === undefined || v === null || v === '') continue;
    errs.push(fe.forbidden(child(path, k), 'cannot be set'));
  }
  return errs;
}
