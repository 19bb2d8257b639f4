// Quantities are canonicalized when objects are decoded (resource.Quantity round-trips to
// its canonical text), and every v1.ResourceList is rounded up to milli precision
// (SetDefaults_ResourceList). Text that is not a quantity fails decoding: a 400 with
// upstream's "... cannot be handled as a Kind: quantities must match ..." message.

import { badRequest } from '../errors.js';
import { Quantity, QuantityError } from '../quantity.js';
import type { Obj } from '../types.js';
import { isObj } from '../validation/util.js';

export class DecodeContext {
  constructor(readonly kind: string, readonly version: string) {}

  fail(err: unknown): never {
    const msg = err instanceof QuantityError ? err.message : String(err);
    throw badRequest(`${this.kind} in version "${this.version}" cannot be handled as a ${this.kind}: ${msg}`);
  }

  /** Canonical text of one quantity field (the value itself when absent). */
  quantity(v: unknown): unknown {
    if (v === undefined || v === null) return v;
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(new QuantityError('quantities must be strings or numbers'));
    try {
      return Quantity.parse(v).toString();
    } catch (e) {
      this.fail(e);
    }
  }

  /** A ResourceList in place: canonical text, rounded up to milli units. */
  resourceList(list: unknown): void {
    if (!isObj(list)) return;
    for (const [k, v] of Object.entries(list)) {
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string' && typeof v !== 'number') this.fail(new QuantityError('quantities must be strings or numbers'));
      try {
        list[k] = Quantity.parse(v).roundUp(-3).toString();
      } catch (e) {
        this.fail(e);
      }
    }
  }

  /** A single quantity field of an object, in place. */
  field(o: unknown, key: string): void {
    if (isObj(o) && o[key] !== undefined && o[key] !== null) (o as Obj)[key] = this.quantity(o[key]);
  }
}
