// exec/attach over WebSocket, translated to SPDY towards the kubelet, as kube-apiserver's
// StreamTranslatorHandler does for kubectl 1.30+: the client speaks a channel protocol
// (v5.channel.k8s.io, ...), the kubelet speaks remotecommand v4 over SPDY (one stream per
// stdin/stdout/stderr/error/resize). Bytes are relayed both ways; when the kubelet is done
// the error stream's status (exit code included) goes to the client's error channel, then
// the WebSocket is closed and the client's close awaited.
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CH, encodeMessage, decodeMessage, type ChannelMessage, type ChannelProtocol } from './channels.js';
import { readLimited, type UpgradeResult } from './kubelet.js';
import type { StreamOptions } from './options.js';
import { SpdySession, type SpdyStream } from './spdy/session.js';
import { internalError, statusFromErrorStream, statusFromRefusedUpgrade } from './status.js';
import type { Obj } from '../../api/types.js';

/** The remotecommand versions client-go's SPDY executor offers the kubelet, newest first. */
export const SPDY_REMOTECOMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** kube-apiserver waits this long for the client to close after the final status. */
const FINISH_TIMEOUT_MS = 15 * 60_000;
/** Output queued towards a slow client beyond which the kubelet connection is paused. */
const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

export interface TranslateOptions {
  ws: WebSocket;
  protocol: ChannelProtocol;
  streams: StreamOptions;
  /** Sends the SPDY upgrade request (SPDY_REMOTECOMMAND_PROTOCOLS offered) to the kubelet. */
  dial: () => Promise<UpgradeResult>;
  finishTimeoutMs?: number;
}

function versionOf(res: IncomingMessage): number {
  const v = String(res.headers['x-stream-protocol-version'] ?? '');
  const m = /^v(\d+)\.channel\.k8s\.io$/.exec(v);
  return m ? Number(m[1]) : 1;
}

export async function translateRemoteCommand(o: TranslateOptions): Promise<void> {
  const { ws, protocol, streams } = o;
  let clientClosed = ws.readyState !== ws.OPEN;
  const clientGone = new Promise<void>((resolve) => ws.once('close', () => { clientClosed = true; resolve(); }));
  ws.on('error', () => { /* a broken client connection ends in 'close' */ });

  let session: SpdySession | undefined;
  let paused = false;
  const send = (channel: number, data: Buffer) => {
    const m = encodeMessage(protocol, channel, data);
    ws.send(m.payload, { binary: m.binary }, () => {
      if (paused && ws.bufferedAmount < LOW_WATER) { paused = false; session?.resume(); }
    });
    if (!paused && session && ws.bufferedAmount > HIGH_WATER) { paused = true; session.pause(); }
  };

  // tell the client the connection is established: an empty message on the lowest
  // writable channel
  send(streams.stdout ? CH.STDOUT : streams.stderr ? CH.STDERR : CH.ERROR, Buffer.alloc(0));

  // what the client sends before the kubelet streams exist waits here, in order
  const inbox: ChannelMessage[] = [];
  let sink: ((m: ChannelMessage) => void) | undefined;
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const m = decodeMessage(protocol, raw, isBinary);
    if (!m) return;
    if (sink) sink(m); else inbox.push(m);
  });

  let status: Obj;
  try {
    const up = await o.dial();
    if (clientClosed) { if (up.upgraded) up.socket.destroy(); else up.res.resume(); return; }
    if (!up.upgraded) {
      status = statusFromRefusedUpgrade(await readLimited(up.res));
    } else {
      const version = versionOf(up.res);
      const s = new SpdySession(up.socket, { server: false, head: up.head });
      session = s;
      s.on('error', () => { /* the session closes; its streams end */ });
      const open = async (type: string): Promise<SpdyStream> => {
        const st = await s.openStream({ streamtype: type });
        st.on('error', () => { /* ends in 'close' */ });
        return st;
      };
      // the kubelet waits for exactly these streams, in client-go's order
      const error = await open('error');
      const stdin = streams.stdin ? await open('stdin') : undefined;
      const stdout = streams.stdout ? await open('stdout') : undefined;
      const stderr = streams.stderr && !streams.tty ? await open('stderr') : undefined;
      const resize = streams.tty && version >= 3 ? await open('resize') : undefined;

      const ended = (st: SpdyStream | undefined) => new Promise<void>((resolve) => {
        if (!st) { resolve(); return; }
        st.once('end', resolve);
        st.once('close', resolve);
      });
      stdout?.on('data', (d: Buffer) => send(CH.STDOUT, d));
      stderr?.on('data', (d: Buffer) => send(CH.STDERR, d));
      const errBytes: Buffer[] = [];
      error.on('data', (d: Buffer) => errBytes.push(d));

      sink = (m) => {
        if ('close' in m) {
          if (m.close === CH.STDIN && stdin && !stdin.writableEnded) stdin.end();
          return;
        }
        if (m.channel === CH.STDIN && stdin && !stdin.writableEnded && !stdin.destroyed) {
          if (!stdin.write(m.data) && !ws.isPaused) {
            ws.pause();
            stdin.once('drain', () => ws.resume());
          }
        } else if (m.channel === CH.RESIZE && resize && !resize.writableEnded && !resize.destroyed) {
          resize.write(m.data);
        }
      };
      for (const m of inbox.splice(0)) sink(m);

      // as client-go: stdout and stderr copied to the end, then the error stream read to its end
      await Promise.race([Promise.all([ended(stdout), ended(stderr), ended(error)]), clientGone]);
      status = statusFromErrorStream(Buffer.concat(errBytes), version);
    }
  } catch (e) {
    status = internalError((e as Error).message);
  } finally {
    sink = () => { /* input after the end goes nowhere */ };
    // a client that left takes the command's connection with it
    if (clientClosed) session?.destroy(); else session?.close();
    // a paused client connection would not even read the client's close frame
    if (ws.isPaused) ws.resume();
  }
  if (clientClosed) return;

  if (protocol.statusJSON) send(CH.ERROR, Buffer.from(JSON.stringify(status)));
  else if (status.status !== 'Success') send(CH.ERROR, Buffer.from(String(status.message ?? '')));
  ws.close(1000);
  const timer = setTimeout(() => ws.terminate(), o.finishTimeoutMs ?? FINISH_TIMEOUT_MS);
  await clientGone;
  clearTimeout(timer);
}
