// Benchmark output: one JSON line (for machines and history) and a table (for people).

export interface Metric {
  key: string;       // JSON field name, e.g. "create_p99_ms"
  label: string;     // table label
  value: number;
  unit: string;
  target?: string;   // e.g. "< 20" (informational: benchmarks never fail on timings)
  /** Shown in the table only, keeping the JSON line to the benchmark's documented fields. */
  tableOnly?: boolean;
}

export interface Result {
  benchmark: string;
  metrics: Metric[];
  notes?: string[];
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null);

export function printResult(r: Result): void {
  const json: Record<string, unknown> = { benchmark: r.benchmark };
  for (const m of r.metrics) if (!m.tableOnly) json[m.key] = round(m.value);
  process.stdout.write(JSON.stringify(json) + '\n');
  const rows = [['metric', 'value', 'unit', 'target'], ...r.metrics.map((m) => [m.label, String(round(m.value)), m.unit, m.target ?? ''])];
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  process.stdout.write(`\n${line(rows[0])}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.slice(1).map(line).join('\n')}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`${n}\n`);
}
