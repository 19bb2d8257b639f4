// One line per milestone on stderr, each stamped with the time since the process started
// (performance.now() counts from process start, so "ready" timings include Node's boot).

export function elapsed(): number {
  return Math.round(performance.now());
}

export function log(msg: string): void {
  process.stderr.write(`[skiff +${elapsed()}ms] ${msg}\n`);
}

export function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}
