// Where skiff keeps its state by default: /var/lib/skiff as root (like k3s's
// /var/lib/rancher/k3s), ~/.skiff for anyone else.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/skiff' : join(homedir(), '.skiff');
}
