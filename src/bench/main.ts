// Benchmarks: `npm run bench -- NAME` (node dist/bench/main.js NAME). Each benchmark is a
// file exporting `run(args): Promise<Result>`; it prints one JSON line and a table.
// Register new ones (scheduler, pod-startup, ...) in BENCHMARKS.
import { printResult, type Result } from './report.js';

const BENCHMARKS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<Result> }> }> = {
  api: { summary: 'API server: startup, idle RSS, create latency, LIST of 10k', load: () => import('./api.js') },
  'pod-startup': { summary: 'pod startup latency (create → Running via watch) of 100 busybox pods on a real local node; needs root', load: () => import('./podstartup.js') },
  scheduler: { summary: 'scheduler: pods/s binding M pods onto N nodes on a real server (--nodes, --pods)', load: () => import('./scheduler.js') },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const b = name ? BENCHMARKS[name] : undefined;
  if (!b) {
    process.stderr.write(`usage: npm run bench -- <name> [args]\n\n${Object.entries(BENCHMARKS).map(([k, v]) => `  ${k.padEnd(12)}${v.summary}`).join('\n')}\n`);
    return name ? 2 : 0;
  }
  const result = await (await b.load()).run(rest);
  printResult(result);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => { process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`); process.exit(1); },
);
