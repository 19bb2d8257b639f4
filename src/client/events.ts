// An event recorder writing core/v1 Events the way client-go's record package does:
//  - names are `<involvedObject name>.<hex unix-nanoseconds>` in the object's namespace
//    ("default" for cluster-scoped objects);
//  - a repeat (same source, object, type, reason and message) PATCHes the first Event's count
//    and lastTimestamp instead of creating another (EventLogger);
//  - more than 10 distinct messages for the same object+reason within 10 minutes collapse
//    into one "(combined from similar events): ..." Event (EventAggregator);
//  - a per-object token bucket (burst 25, one token per 5 minutes) drops floods (spam filter).
// Writes are asynchronous and ordered; event() never throws. flush() waits for them.

import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../api/types.js';
import { isAlreadyExists, isNotFound } from './errors.js';
import type { KubeClient, ResourceRef } from './interface.js';
import { errMsg, stderrLogger, type Logger } from './log.js';
import { sleep } from './wait.js';

export const EVENTS: ResourceRef = findResource('', 'v1', 'events')!;

const MAX_LRU = 4096;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;

export interface EventRecorderOptions {
  /** source.component / reportingComponent, e.g. "namespace-controller". */
  component: string;
  /** source.host / reportingInstance. */
  host?: string;
  log?: Logger;
  /** Aborting stops retries; queued writes are dropped. */
  signal?: AbortSignal;
  now?: () => Date;
  /** Attempts per write on transport errors (default 3). */
  maxAttempts?: number;
  retryDelayMs?: number;
}

interface Seen { count: number; firstTimestamp: string; name: string }
interface Aggregate { messages: Set<string>; last: number }
interface Bucket { tokens: number; last: number }

/** A tiny LRU over Map insertion order. */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
}

/** An ObjectReference for an object (its apiVersion/kind must be set, as list items' are). */
export function objectReference(obj: Obj, fieldPath?: string): Obj {
  const m = obj.metadata ?? {};
  const ref: Obj = { kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: obj.apiVersion, resourceVersion: m.resourceVersion };
  if (fieldPath) ref.fieldPath = fieldPath;
  for (const k of Object.keys(ref)) if (ref[k] === undefined || ref[k] === '') delete ref[k];
  return ref;
}

export class EventRecorder {
  private readonly seen = new Lru<Seen>(MAX_LRU);
  private readonly aggregates = new Lru<Aggregate>(MAX_LRU);
  private readonly spam = new Lru<Bucket>(MAX_LRU);
  private chain: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly client: KubeClient, private readonly opts: EventRecorderOptions) {
    this.log = opts.log ?? stderrLogger(`events ${opts.component}`);
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Records an event about `obj` (type "Normal" or "Warning"); `fieldPath` names a part of it
   * (the kubelet's "spec.containers{name}"), shown as kubectl's SUBOBJECT.
   */
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string, annotations?: Record<string, string>, fieldPath?: string): void {
    if (this.opts.signal?.aborted) return;
    const ref = objectReference(obj, fieldPath);
    const t = this.now();
    const source = { component: this.opts.component, host: this.opts.host };
    const objKey = [source.component, source.host ?? '', ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.apiVersion ?? '', ref.fieldPath ?? ''].join('\u0000');
    if (!this.allow(objKey, t.getTime())) return;

    // Aggregation: the message becomes part of the key only while few distinct ones are seen.
    const aggKey = [objKey, type, reason].join('\u0000');
    let agg = this.aggregates.get(aggKey);
    if (!agg || t.getTime() - agg.last > AGGREGATE_INTERVAL_MS) agg = { messages: new Set(), last: t.getTime() };
    agg.messages.add(message);
    agg.last = t.getTime();
    this.aggregates.set(aggKey, agg);
    let key = [aggKey, message].join('\u0000');
    if (agg.messages.size >= AGGREGATE_MAX_EVENTS) {
      agg.messages.delete(agg.messages.values().next().value as string); // keep the set bounded
      message = `(combined from similar events): ${message}`;
      key = aggKey;
    }

    const ts = nowRFC3339(t);
    const prev = this.seen.get(key);
    const count = (prev?.count ?? 0) + 1;
    const name = prev?.name ?? `${ref.name}.${hexNanos(t)}`;
    const namespace = ref.namespace || 'default';
    const ev: Obj = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace, ...(annotations ? { annotations: clone(annotations) } : {}) },
      involvedObject: ref, reason, message,
      source: source.host ? source : { component: source.component },
      firstTimestamp: prev?.firstTimestamp ?? ts, lastTimestamp: ts, count, type,
      reportingComponent: source.component, reportingInstance: source.host ?? '',
    };
    this.seen.set(key, { count, firstTimestamp: ev.firstTimestamp, name });
    const write = prev ? () => this.patchOrCreate(ev) : () => this.create(ev);
    this.chain = this.chain.then(() => this.attempt(write));
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.chain;
  }

  /** The per-object spam filter: a token bucket refilled at SPAM_QPS. */
  private allow(key: string, nowMs: number): boolean {
    const b = this.spam.get(key) ?? { tokens: SPAM_BURST, last: nowMs };
    b.tokens = Math.min(SPAM_BURST, b.tokens + ((nowMs - b.last) / 1000) * SPAM_QPS);
    b.last = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.spam.set(key, b);
    return ok;
  }

  private async create(ev: Obj): Promise<void> {
    try {
      await this.client.create(EVENTS, ev.metadata.namespace, ev);
    } catch (err) {
      if (isAlreadyExists(err)) return; // written by an earlier attempt whose answer was lost
      throw err;
    }
  }

  private async patchOrCreate(ev: Obj): Promise<void> {
    try {
      await this.client.patch(EVENTS, ev.metadata.namespace, ev.metadata.name, 'strategic', {
        count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.create(ev); // the first one was deleted (TTL or namespace cleanup): start anew
    }
  }

  private async attempt(write: () => Promise<void>): Promise<void> {
    const max = this.opts.maxAttempts ?? 3;
    for (let i = 1; i <= max; i++) {
      if (this.opts.signal?.aborted) return;
      try {
        await write();
        return;
      } catch (err) {
        // API errors (forbidden, invalid, terminating namespace) will not heal by retrying.
        if (err instanceof ApiError) {
          this.log.warn(`unable to write event: ${errMsg(err)}`);
          return;
        }
        if (i === max) {
          this.log.warn(`unable to write event after ${max} attempts: ${errMsg(err)}`);
          return;
        }
        if (!(await sleep((this.opts.retryDelayMs ?? 1000) * i, this.opts.signal))) return;
      }
    }
  }
}

/** Unix time in nanoseconds, hex, as Go's fmt %x of t.UnixNano(). */
function hexNanos(t: Date): string {
  const sub = process.hrtime.bigint() % 1_000_000n; // sub-millisecond part keeps names unique
  return (BigInt(t.getTime()) * 1_000_000n + sub).toString(16);
}
