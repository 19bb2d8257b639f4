// `skiff kubectl ARGS`: the system kubectl, pointed at this machine's cluster unless
// KUBECONFIG says otherwise (as `k3s kubectl` does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from './paths.js';

export async function runKubectl(argv: string[]): Promise<number> {
  const env = { ...process.env };
  if (!env.KUBECONFIG) {
    const kc = join(process.env.SKIFF_DATA_DIR || defaultDataDir(), 'kubeconfig.yaml');
    if (existsSync(kc)) env.KUBECONFIG = kc;
  }
  return new Promise((resolve) => {
    const child = spawn(process.env.SKIFF_KUBECTL || 'kubectl', argv, { stdio: 'inherit', env });
    // kubectl handles Ctrl-C itself; keep this process alive until it exits.
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(e.code === 'ENOENT' ? 'skiff kubectl: kubectl not found in PATH\n' : `skiff kubectl: ${e.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 + 15 : 1)));
  });
}
