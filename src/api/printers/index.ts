// Server-side Table printing (kube-apiserver's pkg/printers/internalversion, 1.32).
export { toTable, tableFor, printerFor, hasPrinter, defaultPrinter, type IncludeObject, type TableOptions, type TableListMeta } from './table.js';
export { humanDuration, since as translateTimestampSince } from './duration.js';
export type { Cell, ColumnDef, Printer, PrintedRow } from './columns.js';
