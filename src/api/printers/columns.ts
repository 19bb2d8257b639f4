// Shared shapes and helpers for the per-kind printers. A printer is a fixed list of column
// definitions plus a function producing one row's cells for one object. The server always
// prints every column (kube-apiserver generates tables with Wide: true); kubectl hides the
// priority > 0 ones unless asked for -o wide.

import type { Obj } from '../types.js';
import { since } from './duration.js';

export type CellType = 'string' | 'integer' | 'number' | 'boolean' | 'date';
export type Cell = string | number | boolean | null;

/** metav1.TableColumnDefinition; every field is always serialised, as upstream does. */
export interface ColumnDef {
  name: string;
  type: CellType;
  format: string;
  description: string;
  priority: number;
}

export interface PrintedRow {
  cells: Cell[];
  /** metav1.TableRowCondition list (pods report Completed for Succeeded/Failed). */
  conditions?: Obj[];
}

export interface Printer {
  columns: ColumnDef[];
  print(obj: Obj, now: Date): PrintedRow;
}

export function col(name: string, type: CellType, description: string, opts: { priority?: number; format?: string } = {}): ColumnDef {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** Wide-only column (priority 1). */
export const wide = (name: string, type: CellType, description: string): ColumnDef => col(name, type, description, { priority: 1 });

export const NAME_DESC = 'Name of the object, unique within its namespace (or cluster for cluster-scoped kinds).';
export const AGE_DESC = 'Time since the object was created (from metadata.creationTimestamp).';

export const nameCol = (): ColumnDef => col('Name', 'string', NAME_DESC, { format: 'name' });
export const ageCol = (): ColumnDef => col('Age', 'string', AGE_DESC);
export const containersCol = (priority = 1): ColumnDef => col('Containers', 'string', 'Names of the containers in the pod template.', { priority });
export const imagesCol = (priority = 1): ColumnDef => col('Images', 'string', 'Images the containers in the pod template run.', { priority });
export const selectorCol = (description = 'Label selector for the pods this object manages.'): ColumnDef => wide('Selector', 'string', description);

export const nameOf = (o: Obj): string => o?.metadata?.name ?? '';
export const ageOf = (o: Obj, now: Date): string => since(o?.metadata?.creationTimestamp, now);

/** layoutContainerCells: names and images, each comma-joined. */
export function containerCells(containers: Obj[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(',')];
}

/** Integers print as JSON numbers (int64 cells upstream); missing counts read as 0. */
export const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

/** printBoolPtr: "True"/"False", or "<unset>" when the pointer is nil. */
export function boolPtr(v: unknown): string {
  if (v === undefined || v === null) return '<unset>';
  return v ? 'True' : 'False';
}

/** intstr.IntOrString.String(). */
export const intOrString = (v: unknown): string => (typeof v === 'number' ? String(Math.trunc(v)) : String(v ?? ''));

/** Quantities are stored in canonical form already; print them as stored ("0" when absent). */
export const quantity = (v: unknown): string => (v === undefined || v === null || v === '' ? '0' : String(v));

/** Sorted unique strings (sets.String.List()). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** listWithMoreString: at most `max` entries, then " + N more...", or "<unset>" when empty. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const s = list.join(',');
  if (more) return `${s} + ${count - max} more...`;
  return s === '' ? '<unset>' : s;
}
