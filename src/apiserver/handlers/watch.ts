// Watch streams: chunked JSON lines {"type":..., "object":...}, as objects or Table rows,
// ended by timeoutSeconds, the client going away, or the server stopping.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { decodeShared, type Registry, type WatchType } from '../registry/generic.js';
import { servedJSON } from '../registry/rawjson.js';
import type { KV } from '../../storage/store.js';
import { statusObject } from '../status.js';
import { protobuf } from '../protobuf-lazy.js';
import { negotiate, partialMetadata, tableObject, toExternal } from './output.js';
import { listOptions } from './resource.js';

const BOOKMARK_EVERY_MS = 60_000;

/**
 * Every watcher of an event gets the same decoded object (or stored KV): its JSON line is
 * built once per (event, type, served resource) and reused by the other watchers. `null`
 * remembers that a line cannot be built from the stored text.
 */
const lines = new WeakMap<object, Map<string, string | null>>();
function sharedLine(of: object, ri: ResourceInfo, type: WatchType, build: () => string | null): string | null {
  const key = `${type} ${ri.group}/${ri.version}/${ri.plural}`;
  let byKey = lines.get(of);
  let line = byKey?.get(key);
  if (line === undefined) {
    line = build();
    if (!byKey) lines.set(of, (byKey = new Map()));
    byKey.set(key, line);
  }
  return line;
}

function jsonLine(ri: ResourceInfo, type: WatchType, obj: Obj): string {
  return sharedLine(obj, ri, type, () => JSON.stringify({ type, object: toExternal(ri, obj) }) + '\n')!;
}

/** The same, built from a stored event without decoding it; undefined when it must be decoded. */
function storedLine(ri: ResourceInfo, type: 'ADDED' | 'MODIFIED', kv: KV): string | undefined {
  return sharedLine(kv, ri, type, () => {
    const obj = servedJSON(ri, kv.value, kv.modRevision);
    return obj === undefined ? null : `{"type":"${type}","object":${obj}}\n`;
  }) ?? undefined;
}

export async function serveWatch(reg: Registry, ri: ResourceInfo, req: IncomingMessage, res: ServerResponse, ns: string, q: URLSearchParams, serverSignal: AbortSignal): Promise<void> {
  const out = negotiate(req);
  const opts = { ...listOptions(q), allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true', sendInitialEvents: q.get('sendInitialEvents') === 'true' };
  const tRaw = q.get('timeoutSeconds');
  if (tRaw !== null && !/^[0-9]+$/.test(tRaw)) throw new ApiError(400, 'BadRequest', `invalid value for timeoutSeconds: ${JSON.stringify(tRaw)}`);
  // kube-apiserver's default: a random duration between minRequestTimeout (30 min) and twice it
  const timeoutMs = tRaw ? Number(tRaw) * 1000 : (1800 + Math.random() * 1800) * 1000;

  const ac = new AbortController();
  const stop = () => ac.abort();
  serverSignal.addEventListener('abort', stop, { once: true });
  req.on('close', stop);
  res.on('close', stop);
  const timer = setTimeout(stop, timeoutMs);
  let bookmark: NodeJS.Timeout | undefined;
  let lastRV = '';
  let first = true;

  // Events published in one turn of the event loop (a group commit, a burst of requests) go
  // out as one chunk in one socket write (one TLS record and syscall) instead of one each.
  let pending: (string | Buffer)[] = [];
  const flush = () => {
    const p = pending;
    pending = [];
    if (!p.length || res.destroyed || res.writableEnded) return;
    if (p.every((x) => typeof x === 'string')) { res.write(p.length === 1 ? p[0] : (p as string[]).join('')); return; }
    res.cork();
    for (const x of p) res.write(x);
    res.uncork();
  };
  const contentType = out === 'protobuf' ? 'application/vnd.kubernetes.protobuf;stream=watch' : 'application/json';
  const emit = (chunk: string | Buffer) => {
    if (!res.headersSent) {
      res.writeHead(200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    }
    if (pending.push(chunk) === 1) setImmediate(flush);
  };
  const write = (type: WatchType, obj: Obj) => {
    if (ac.signal.aborted) return;
    if (out === 'protobuf') { emit(protobufWatchFrame(type, type === 'ERROR' || type === 'BOOKMARK' ? obj : toExternal(ri, obj))); return; }
    let object: Obj;
    if (type === 'ERROR' || type === 'BOOKMARK') object = obj;
    else if (out === 'table') { object = tableObject(ri, [obj], q, { resourceVersion: obj.metadata?.resourceVersion }, first); first = false; }
    else if (out === 'metadata') object = partialMetadata(obj);
    else {
      if (obj.metadata?.resourceVersion) lastRV = obj.metadata.resourceVersion;
      emit(jsonLine(ri, type, obj));
      return;
    }
    if (type !== 'ERROR' && obj.metadata?.resourceVersion) lastRV = obj.metadata.resourceVersion;
    emit(JSON.stringify({ type, object }) + '\n');
  };

  try {
    // JSON watchers take events straight from the stored text when it can be served as is
    const writeStored = (type: 'ADDED' | 'MODIFIED', kv: KV) => {
      const line = (out === 'object' || out === 'yaml') ? storedLine(ri, type, kv) : undefined;
      if (line === undefined) { write(type, decodeShared(reg, kv)); return; }
      if (ac.signal.aborted) return;
      lastRV = String(kv.modRevision);
      emit(line);
    };
    const done = reg.watch(ns, opts, ac.signal, write, writeStored);
    // headers go out at once so clients know the watch is established
    if (!res.headersSent && !ac.signal.aborted) {
      res.writeHead(200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
    }
    if (opts.allowWatchBookmarks) {
      bookmark = setInterval(async () => {
        const rv = lastRV || String(await reg.store.currentRevision());
        write('BOOKMARK', { kind: ri.kind, apiVersion: apiVersionOf(ri.group, ri.version), metadata: { resourceVersion: rv } });
      }, BOOKMARK_EVERY_MS);
    }
    await done;
  } catch (e) {
    if (e instanceof ApiError && e.code === 410 && !res.headersSent) {
      // an expired resourceVersion is reported in the stream, as kube-apiserver does
      write('ERROR', statusObject(e));
      ac.abort();
    } else if (!res.headersSent) {
      clearTimeout(timer); serverSignal.removeEventListener('abort', stop);
      throw e;
    } else if (e instanceof ApiError) {
      write('ERROR', statusObject(e));
      ac.abort();
    }
  }
  await new Promise<void>((resolve) => {
    if (ac.signal.aborted) resolve(); else ac.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  if (bookmark) clearInterval(bookmark);
  serverSignal.removeEventListener('abort', stop);
  flush(); // what the last turn queued (an ERROR, say) goes out before the end
  if (!res.writableEnded) res.end();
}

/**
 * One frame of a protobuf watch stream: a 4-byte big-endian length, then a meta/v1
 * WatchEvent {type = 1; object = 2 (RawExtension {raw = 1})} whose raw bytes are the object
 * in the enveloped Kubernetes protobuf encoding (JSON for kinds without one).
 */
export function protobufWatchFrame(type: string, obj: Obj): Buffer {
  const inner = obj.apiVersion && obj.kind && protobuf().hasProtobufEncoding(obj.apiVersion, obj.kind) ? protobuf().encodeK8sProtobuf(obj) : Buffer.from(JSON.stringify(obj));
  const raw = lenField(1, inner);
  const ev = Buffer.concat([lenField(1, Buffer.from(type)), lenField(2, raw)]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(ev.length);
  return Buffer.concat([head, ev]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}

function lenField(field: number, data: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(data.length), data]);
}
