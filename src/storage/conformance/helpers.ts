// Helpers for the storage conformance suite (conformance.ts).

import assert from 'node:assert/strict';
import type { KV, Store, WatchEvent } from '../store.js';

export type MakeStore = () => Promise<Store>;

/** Runs fn on a fresh store and always closes it. */
export async function withStore(make: MakeStore, fn: (s: Store) => Promise<void>): Promise<void> {
  const s = await make();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Asserts that p rejects with an instance of cls, then runs extra checks on the error. */
export async function rejectsWith<E extends Error>(
  p: Promise<unknown> | (() => Promise<unknown>),
  cls: new (...args: never[]) => E,
  check?: (err: E) => void,
): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    check?.(err);
    return true;
  });
}

/** A kv as plain data (tolerates backends that freeze or decorate their objects). */
export function kv(k: KV): KV {
  return { key: k.key, value: k.value, createRevision: k.createRevision, modRevision: k.modRevision };
}

/** An event as plain data; a missing and an undefined prevKv compare equal. */
export function ev(e: WatchEvent): WatchEvent {
  return { type: e.type, revision: e.revision, kv: kv(e.kv), ...(e.prevKv ? { prevKv: kv(e.prevKv) } : {}) };
}

/** Collects a watch's events and errors; `until` waits for a condition without sleeping blindly. */
export class Collector {
  readonly events: WatchEvent[] = [];
  readonly errors: Error[] = [];
  private wake: (() => void) | null = null;

  readonly onEvent = (e: WatchEvent): void => {
    this.events.push(e);
    this.wake?.();
  };

  readonly onError = (err: Error): void => {
    this.errors.push(err);
    this.wake?.();
  };

  revisions(): number[] {
    return this.events.map((e) => e.revision);
  }

  keys(): string[] {
    return this.events.map((e) => e.kv.key);
  }

  /** Resolves once pred holds; fails after ms with what was seen. */
  async until(what: string, pred: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.events.map((e) => [e.type, e.kv.key, e.revision]))} errors ${this.errors.map(String)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Waits until an event for key has arrived. */
  untilKey(key: string, ms?: number): Promise<void> {
    return this.until(`an event for ${key}`, () => this.events.some((e) => e.kv.key === key), ms);
  }
}

/** Starts a watch; a synchronous throw and a rejection are treated alike (the contract allows both). */
export async function watch(s: Store, prefix: string, fromRevision: number, c: Collector, signal: AbortSignal): Promise<void> {
  await s.watch(prefix, { fromRevision, signal }, c.onEvent, c.onError);
}

/** Strictly increasing? */
export function increasing(xs: number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]);
}
