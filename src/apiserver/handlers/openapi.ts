// /openapi/v2 (JSON or protobuf, as the client asks) and /openapi/v3 (index + per group-version).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { openapiV2, openapiV2Protobuf, openapiV3GroupVersion, openapiV3Index } from '../../api/openapi/index.js';
import { sendError } from '../status.js';

function send(req: IncomingMessage, res: ServerResponse, body: string | Buffer, type: string, etag?: string): void {
  const headers: Record<string, string | number> = { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
  if (etag) {
    headers.ETag = `"${etag}"`;
    if (req.headers['if-none-match'] === `"${etag}"`) { res.writeHead(304, { ETag: `"${etag}"` }); res.end(); return; }
    headers['Cache-Control'] = 'public, immutable';
  }
  res.writeHead(200, headers);
  res.end(body);
}

export function serveOpenAPI(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams): void {
  try {
    if (path === '/openapi/v2' || path === '/openapi/v2/') {
      const accept = String(req.headers.accept ?? '');
      if (accept.includes('protobuf')) { const pb = openapiV2Protobuf(); send(req, res, pb.body, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', pb.etag); return; }
      const js = openapiV2();
      send(req, res, js.body, 'application/json', js.etag);
      return;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') { send(req, res, JSON.stringify(openapiV3Index()), 'application/json'); return; }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3GroupVersion(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      void q;
      send(req, res, doc.body, 'application/json', doc.etag);
      return;
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  } catch (e) {
    sendError(res, e);
  }
}
