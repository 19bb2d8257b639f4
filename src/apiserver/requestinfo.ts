// Parses a request path the way k8s.io/apiserver's RequestInfoFactory does, so every
// handler sees the same {verb, group, version, namespace, resource, name, subresource}.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;           // get list watch create update patch delete deletecollection (or lower-case HTTP method for non-resource)
  apiPrefix: string;      // "api" | "apis"
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

// Subresources of a namespace addressed as /namespaces/{name}/{sub}, not as a namespaced resource.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) { info.group = parts[0] ?? ''; info.version = parts[1] ?? ''; return info; }
    info.group = parts[0];
    parts = parts.slice(1);
  }
  if (parts.length < 2) { info.version = parts[0] ?? ''; return info; }
  info.version = parts[0];
  parts = parts.slice(1);
  info.isResourceRequest = true;

  switch (method) {
    case 'POST': info.verb = 'create'; break;
    case 'GET': case 'HEAD': info.verb = 'get'; break;
    case 'PUT': info.verb = 'update'; break;
    case 'PATCH': info.verb = 'patch'; break;
    case 'DELETE': info.verb = 'delete'; break;
    default: info.verb = method.toLowerCase();
  }
  // the deprecated /watch/ and /proxy/ path prefixes
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts[0] === 'watch') info.verb = 'watch'; else info.verb = 'proxy';
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 3) info.subresource = parts[2];
  // namespaces themselves: /api/v1/namespaces/{name} names the namespace, not a namespace scope
  if (info.resource === 'namespaces') info.namespace = '';

  if (info.name === '' && info.verb === 'get') {
    const w = query.get('watch');
    info.verb = w === 'true' || w === '1' ? 'watch' : 'list';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
