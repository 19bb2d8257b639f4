// How metrics.k8s.io values are written on the wire: resource.Quantity in its canonical
// form (CPU in DecimalSI from nanocores, memory in BinarySI from bytes, as metrics-server
// builds them), metav1.Time (RFC 3339, seconds) and metav1.Duration (Go's Duration.String).

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A non-negative integer amount × 10^exp in canonical DecimalSI: the largest multiple-of-3 exponent that keeps the mantissa whole. */
function decimalSI(amount: number, exp: number): string {
  if (amount === 0) return '0';
  let n = amount, e = exp;
  while (n % 1000 === 0 && e < 18) { n /= 1000; e += 3; }
  return `${n}${DECIMAL_SUFFIX[e]}`;
}

/** CPU usage in nanocores → "1234567n", "250m", "2", "0". */
export function cpuQuantity(nanocores: number): string {
  return decimalSI(Math.max(0, Math.trunc(nanocores)), -9);
}

/**
 * Memory in bytes → "12345Ki", "1Mi", "12345678" (not a multiple of 1024). Below 1024 the
 * canonical form is DecimalSI ("1k" for 1000), as resource.Quantity writes it.
 */
export function memoryQuantity(bytes: number): string {
  let n = Math.max(0, Math.trunc(bytes));
  if (n < 1024) return decimalSI(n, 0);
  let i = 0;
  while (n % 1024 === 0 && i < BINARY_SUFFIX.length - 1) { n /= 1024; i++; }
  return `${n}${BINARY_SUFFIX[i]}`;
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's time.Duration.String() for a whole number of milliseconds: "0s", "500ms", "15.003s", "1m0.5s", "1h2m3s". */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const whole = Math.floor(secMs / 1000);
  const frac = secMs % 1000 ? `.${String(secMs % 1000).padStart(3, '0').replace(/0+$/, '')}` : '';
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${whole}${frac}s`;
}
