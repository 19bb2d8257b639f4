// How metrics.k8s.io values are written on the wire: resource.Quantity in its canonical
// form (CPU in DecimalSI from nanocores, memory in BinarySI from bytes, as metrics-server
// builds them), metav1.Time (RFC 3339, seconds) and metav1.Duration (Go's Duration.String).

import { goDuration as goDurationMs } from '../../api/duration.js';
import { nowRFC3339 } from '../../api/types.js';

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
  return nowRFC3339(new Date(ms));
}

/** metav1.Duration: Go's Duration.String() (the window is rounded to whole milliseconds). */
export function goDuration(ms: number): string {
  return goDurationMs(Math.round(ms));
}
