// The loopback listener: plain HTTP on a Unix socket under the data dir, for the clients
// that run inside skiff itself (controllers, scheduler, node agents in worker threads).
// kube-apiserver gives its in-process clients a loopback config with a privileged token;
// here each in-process identity gets its own random token, known only to this process.
// Skipping TLS for them saves a TLS session per informer watch (tens of connections, ~80 KB
// each across both ends) and the encryption of every event they receive.
//
// Only the owner of the data dir can reach the socket (mode 0600 inside a 0700 directory),
// and every request on it must present one of the tokens; anything else is 401.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../api/errors.js';
import type { UserInfo } from './registry/strategy.js';

export interface LoopbackOptions {
  /** Where to listen (removed first if a stale one is left from a killed process). */
  socketPath: string;
  /** Bearer token → identity. */
  users: Record<string, UserInfo>;
}

export class LoopbackListener {
  private readonly sockets = new WeakSet<Socket>();
  private constructor(private readonly server: http.Server, private readonly users: Map<string, UserInfo>) {}

  static async listen(
    o: LoopbackOptions,
    onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void,
    onUpgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void,
  ): Promise<LoopbackListener> {
    const server = http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, onRequest);
    const l = new LoopbackListener(server, new Map(Object.entries(o.users)));
    server.on('connection', (s: Socket) => l.sockets.add(s));
    server.on('upgrade', onUpgrade);
    server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); else socket.destroy(); });
    if (existsSync(o.socketPath)) unlinkSync(o.socketPath);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.socketPath, () => { server.off('error', reject); resolve(); });
    });
    chmodSync(o.socketPath, 0o600);
    return l;
  }

  /**
   * The identity of a request that came in on the loopback socket (its token must be one
   * of ours: 401 otherwise); undefined for requests from any other listener.
   */
  userFor(req: http.IncomingMessage): UserInfo | undefined {
    if (!this.sockets.has(req.socket)) return undefined;
    const auth = req.headers.authorization;
    const user = auth && /^bearer /i.test(auth) ? this.users.get(auth.slice(7).trim()) : undefined;
    if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    return user;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
