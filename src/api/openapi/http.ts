// How kube-apiserver answers /openapi/v2 and /openapi/v3/..., as a plain function the HTTP
// layer can call: content negotiation (JSON or gnostic protobuf for v2), ETags, and the
// hash-pinned immutable URLs of the v3 index.

import { openapiV2ETag, openapiV2JSON, openapiV2Protobuf, OPENAPI_V2_PROTOBUF_MIME } from './v2.js';
import { openapiV3GroupVersionJSON, openapiV3Hash, openapiV3Index } from './v3.js';

export interface OpenAPIResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The protobuf type is requested with an '@' (client-go's constant) but must be answered
 * without one: Go's mime parser rejects '@' in a Content-Type and client-go then fails the
 * whole request ("mime: unexpected content after media subtype").
 */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PB_TYPES = [OPENAPI_V2_PROTOBUF_MIME, OPENAPI_V2_PROTOBUF_CONTENT_TYPE];

function wantsProtobuf(accept: string): boolean {
  // client-go sends exactly the protobuf type; browsers and curl send JSON or */*.
  return accept.split(',').some((part) => PB_TYPES.includes(part.split(';')[0].trim()));
}

function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*');
}

/**
 * The response for an OpenAPI request, or undefined when the path is not an OpenAPI path
 * (or names a group-version that is not served: the caller answers 404 as for any path).
 * `search` is the raw query string ("?hash=..." or "").
 */
export function openapiResponse(pathname: string, search: string, accept = '', ifNoneMatch?: string): OpenAPIResponse | undefined {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/openapi/v2') {
    const etag = openapiV2ETag();
    const headers: Record<string, string> = { etag, 'cache-control': 'no-cache, private', vary: 'Accept' };
    if (notModified(ifNoneMatch, etag)) return { status: 304, headers, body: Buffer.alloc(0) };
    if (wantsProtobuf(accept)) {
      return { status: 200, headers: { ...headers, 'content-type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE }, body: openapiV2Protobuf() };
    }
    return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: openapiV2JSON() };
  }
  if (path === '/openapi/v3') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
      body: Buffer.from(JSON.stringify(openapiV3Index())),
    };
  }
  if (path.startsWith('/openapi/v3/')) {
    const key = path.slice('/openapi/v3/'.length);
    const hash = openapiV3Hash(key);
    if (!hash) return undefined;
    const etag = `"${hash}"`;
    const asked = new URLSearchParams(search).get('hash');
    if (asked && asked !== hash) {
      // An outdated pinned URL: send the client to the current one.
      return { status: 301, headers: { location: `/openapi/v3/${key}?hash=${hash}`, 'cache-control': 'no-cache, private' }, body: Buffer.alloc(0) };
    }
    const cache = asked ? 'public, immutable' : 'no-cache, public';
    const headers: Record<string, string> = { etag, 'cache-control': cache };
    if (asked) headers.expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    if (notModified(ifNoneMatch, etag)) return { status: 304, headers, body: Buffer.alloc(0) };
    return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: openapiV3GroupVersionJSON(key)! };
  }
  return undefined;
}
