// CRI v1 client for containerd (see client.ts); message types in types.ts.

export { CriClient, CriError, isNotFound, isUnavailable, nanosToDate, DEFAULT_TIMEOUT_MS, type CallOptions } from './client.js';
export type * from './types.js';
