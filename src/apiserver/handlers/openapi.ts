// /openapi/v2 (JSON or protobuf, as the client asks) and /openapi/v3 (index + per
// group-version); api/openapi decides the representation and caching headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { openapiResponse } from '../../api/openapi/index.js';
import { sendError } from '../status.js';

export function serveOpenAPI(req: IncomingMessage, res: ServerResponse, path: string, search: string): void {
  try {
    const r = openapiResponse(path, search, String(req.headers.accept ?? ''), req.headers['if-none-match']);
    if (!r) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length });
    res.end(r.body);
  } catch (e) {
    sendError(res, e);
  }
}
