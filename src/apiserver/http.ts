// Small HTTP helpers shared by the handlers: bounded body reading, JSON/YAML decoding and
// JSON responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge } from '../api/errors.js';
import type { Obj } from '../api/types.js';
import { ensureProtobuf, protobuf } from './protobuf-lazy.js';
import { checkYamlDepth, jsonTooDeep, MAX_JSON_DEPTH } from './yamlguard.js';

/** kube-apiserver's default request body limit (3 MiB). */
export const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  await ensureProtobuf(req.headers['content-type']);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) { req.resume(); throw tooLarge(limit); }
  // plain listeners, not `for await`: the async iterator costs more than the small body it reads
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) { done(); req.resume(); reject(tooLarge(limit)); return; }
      chunks.push(c);
    };
    const onEnd = () => { done(); resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); };
    const onError = (e: Error) => { done(); reject(e); };
    const onClose = () => { if (!req.complete) { done(); reject(new Error('request aborted')); } };
    const done = () => { req.off('data', onData); req.off('end', onEnd); req.off('error', onError); req.off('close', onClose); };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/**
 * Decode a request body as JSON or YAML by content type. Errors are 400s with the
 * decoder's complaint, as kube-apiserver's serializer reports them.
 */
export function decodeBody(buf: Buffer, contentType: string): unknown {
  const text = buf.toString('utf8');
  if (contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml') {
    checkYamlDepth(text);
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (contentType === 'application/vnd.kubernetes.protobuf') {
    // typed clients (kubectl 1.31+) send built-in kinds as Kubernetes protobuf
    try {
      return protobuf().decodeK8sProtobuf(buf);
    } catch (e) {
      throw badRequest(`error decoding protobuf body: ${(e as Error).message}`);
    }
  }
  if (jsonTooDeep(text)) throw badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${MAX_JSON_DEPTH}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** Decode a body that must be a JSON object (a Kubernetes object). */
export function decodeObject(buf: Buffer, contentType: string): Obj {
  if (buf.length === 0) throw badRequest('the body of the request was empty');
  const v = decodeBody(buf, contentType);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return v as Obj;
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}
