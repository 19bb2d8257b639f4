// Go's time.Duration.String() for a millisecond count: events, probe messages and the
// metrics API print durations as Go programs do ("0s", "500ms", "1.5s", "1m30s", "1h0m0s").

/** Go's Duration.String() of `ms` truncated to whole milliseconds (negative counts as 0). */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const frac = secMs % 1000 ? `.${String(secMs % 1000).padStart(3, '0').replace(/0+$/, '')}` : '';
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${Math.floor(secMs / 1000)}${frac}s`;
}
