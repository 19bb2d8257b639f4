// The WebSocket channel protocols of remote commands (k8s.io/apimachinery wsstream and
// client-go's v5 executor): every message carries one channel's bytes, prefixed with the
// channel number (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); binary protocols use a
// byte, the base64 ones an ASCII digit and base64 text. v5 adds a close signal, the
// message [255, channel], that half-closes one channel (kubectl sends it when stdin ends).

export const CH = { STDIN: 0, STDOUT: 1, STDERR: 2, ERROR: 3, RESIZE: 4 } as const;
export const CLOSE_SIGNAL = 255;

export interface ChannelProtocol {
  name: string;
  base64: boolean;
  /** The error channel carries a metav1.Status as JSON (v4+), or else the error text. */
  statusJSON: boolean;
  /** The [255, channel] close signal is understood (v5). */
  closeSignal: boolean;
}

/** Server preference is irrelevant: the client's order decides, as wsstream negotiates. */
export const REMOTECOMMAND_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', base64: false, statusJSON: true, closeSignal: true },
  { name: 'v4.channel.k8s.io', base64: false, statusJSON: true, closeSignal: false },
  { name: 'v4.base64.channel.k8s.io', base64: true, statusJSON: true, closeSignal: false },
  { name: 'channel.k8s.io', base64: false, statusJSON: false, closeSignal: false },
  { name: 'base64.channel.k8s.io', base64: true, statusJSON: false, closeSignal: false },
];

/** The WebSocket subprotocols a request offers, in its order. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const v = Array.isArray(header) ? header.join(',') : header ?? '';
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The first offered protocol this server translates, if any. */
export function negotiate(offered: string[]): ChannelProtocol | undefined {
  for (const name of offered) {
    const p = REMOTECOMMAND_PROTOCOLS.find((x) => x.name === name);
    if (p) return p;
  }
  return undefined;
}

export type ChannelMessage = { channel: number; data: Buffer } | { close: number };

/** One message for the client: binary [channel, ...data] or text "<digit><base64>". */
export function encodeMessage(p: ChannelProtocol, channel: number, data: Buffer): { payload: Buffer | string; binary: boolean } {
  if (p.base64) return { payload: String.fromCharCode(48 + channel) + data.toString('base64'), binary: false };
  return { payload: Buffer.concat([Buffer.from([channel]), data]), binary: true };
}

/** A client message, or undefined for one that carries nothing (empty, or a stray kind). */
export function decodeMessage(p: ChannelProtocol, raw: Buffer, isBinary: boolean): ChannelMessage | undefined {
  if (raw.length === 0) return undefined;
  if (p.base64) {
    if (isBinary) return undefined;
    const text = raw.toString('latin1');
    const channel = text.charCodeAt(0) - 48;
    if (channel < 0 || channel > 9) return undefined;
    return { channel, data: Buffer.from(text.slice(1), 'base64') };
  }
  if (!isBinary) return undefined;
  if (p.closeSignal && raw[0] === CLOSE_SIGNAL) return raw.length > 1 ? { close: raw[1] } : undefined;
  return { channel: raw[0], data: raw.subarray(1) };
}
