// Runs real `skiff server` processes for end-to-end tests and benchmarks, and talks to
// them over HTTPS with the admin client certificate, exactly as kubectl would.
// Every process started here is stopped by its PID; nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/cmd/main.js, found from this compiled file (dist/e2e/harness.js). */
export const MAIN_JS = fileURLToPath(new URL('../cmd/main.js', import.meta.url));

export function tempDir(prefix = 'skiff-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Creds { ca: string; cert: string; key: string }

/** An HTTPS client with keep-alive connections, authenticated by a client certificate. */
export class Client {
  readonly agent: Agent;
  constructor(readonly base: string, creds: Creds, maxSockets = 16) {
    this.agent = new Agent({ keepAlive: true, maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  request(method: string, path: string, body?: string | Buffer | object, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<Response> {
    const data = body === undefined ? undefined
      : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (data !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(this.base + path, { method, headers: h, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The admin credentials a server wrote under DATA_DIR/pki. */
export function adminCreds(dataDir: string): Creds | null {
  const p = (f: string) => join(dataDir, 'pki', f);
  if (![p('ca.crt'), p('admin.crt'), p('admin.key')].every(existsSync)) return null;
  return { ca: readFileSync(p('ca.crt'), 'utf8'), cert: readFileSync(p('admin.crt'), 'utf8'), key: readFileSync(p('admin.key'), 'utf8') };
}

export interface ServerOptions {
  dataDir?: string;        // default: a new temp dir (removed by stop({ clean: true }))
  port?: number;           // default: a free loopback port
  args?: string[];         // more flags for `skiff server`
  readyTimeoutMs?: number; // default 60 s
  /**
   * Run the server's local node (a real kubelet and its own containerd; needs root): no
   * --disable-agent, a free --kubelet-port and a cluster CIDR of its own, so it never
   * collides with another node server on this machine (args given in `args` still win).
   * Delete the pods (and wait for their containers to go) before stop(): stop({ clean })
   * removes the data dir but not the node's CNI bridge (cmd/node-host.ts bridgeName,
   * which e2e may not import): the caller deletes it, as bench/podstartup.ts does.
   */
  agent?: boolean;
  clusterCIDR?: string;    // with agent: default 10.77.0.0/16
}

export class ServerProcess {
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from spawn to the first `/readyz` answering ok. */
  startupMs = 0;
  client!: Client;

  private constructor(readonly child: ChildProcess, readonly dataDir: string, readonly port: number, private ownDir: boolean) {
    const keep = (d: Buffer) => { this.out = (this.out + d.toString()).slice(-64_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  }

  get pid(): number { return this.child.pid!; }
  get url(): string { return `https://127.0.0.1:${this.port}`; }
  /** The last 64 kB the server printed. */
  get log(): string { return this.out; }
  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  static async start(o: ServerOptions = {}): Promise<ServerProcess> {
    const dataDir = o.dataDir ?? tempDir();
    const port = o.port ?? await freePort();
    // no local node unless asked: tests share this machine, and each node starts a containerd
    const node = o.agent
      ? ['--kubelet-port', String(await freePort()), '--cluster-cidr', o.clusterCIDR ?? '10.77.0.0/16']
      : ['--disable-agent'];
    const args = [MAIN_JS, 'server', '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1', ...node, ...(o.args ?? [])];
    const t0 = performance.now();
    // as the ./skiff launcher runs it
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { MALLOC_ARENA_MAX: '2', ...process.env } });
    const sp = new ServerProcess(child, dataDir, port, o.dataDir === undefined);
    try {
      await sp.waitReady(o.readyTimeoutMs ?? 60_000);
    } catch (e) {
      await sp.stop({ clean: true });
      throw e;
    }
    sp.startupMs = performance.now() - t0;
    return sp;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no credentials yet';
    for (;;) {
      if (!this.running) throw new Error(`skiff server exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`skiff server not ready within ${timeoutMs} ms (last: ${last}):\n${this.log}`);
      const creds = adminCreds(this.dataDir);
      if (creds) {
        const c = new Client(this.url, creds);
        try {
          const r = await c.request('GET', '/readyz', undefined, { accept: 'text/plain' }, 2000);
          if (r.status === 200 && r.body.trim() === 'ok') { this.client = new Client(this.url, creds, 64); return; }
          last = `HTTP ${r.status} ${r.body.slice(0, 100)}`;
        } catch (e) {
          last = (e as Error).message;
        } finally {
          c.close();
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Resident memory of the server process in MB (VmRSS). */
  rssMb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  /** SIGKILL by PID: no chance to flush or close anything. */
  async kill9(): Promise<void> {
    // Kill first, so requests the clients have in flight are cut by the server's death.
    if (this.running) process.kill(this.pid, 'SIGKILL');
    await this.exited;
    this.client?.close();
  }

  /** SIGTERM by PID and wait (SIGKILL after timeoutMs); returns how it exited. */
  async stop(o: { clean?: boolean; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.client?.close();
    if (this.running) process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => { if (this.running) process.kill(this.pid, 'SIGKILL'); }, o.timeoutMs ?? 20_000);
    const res = await this.exited;
    clearTimeout(timer);
    if (o.clean && this.ownDir) rmSync(this.dataDir, { recursive: true, force: true });
    return res;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}
