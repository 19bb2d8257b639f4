// Kubernetes objects travel as plain JSON. Registry code works on these loose shapes and
// relies on validation (api/validation) for structure; kubernetes-types gives precise
// shapes where a component wants them.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface ObjectMeta {
  name?: string; generateName?: string; namespace?: string; uid?: string;
  resourceVersion?: string; generation?: number; creationTimestamp?: string;
  deletionTimestamp?: string; deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>; annotations?: Record<string, string>;
  ownerReferences?: Obj[]; finalizers?: string[]; managedFields?: Obj[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** Deep copy of a JSON value (objects from the API are always plain JSON). */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** RFC 3339 timestamp with second precision, as metav1.Time serialises. */
export function nowRFC3339(d: Date = new Date()): string {
  // every write stamps a few of these: the formatted second is reused until the clock moves on
  const sec = Math.floor(d.getTime() / 1000);
  if (sec !== lastSecond) { lastSecond = sec; lastStamp = d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  return lastStamp;
}
let lastSecond = NaN;
let lastStamp = '';

/** RFC 3339 with microseconds, as metav1.MicroTime serialises. */
export function nowMicro(d: Date = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
