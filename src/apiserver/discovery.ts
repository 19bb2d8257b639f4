// Discovery: /api, /apis (legacy and aggregated v2/v2beta1), /apis/<group>, and the
// per-group-version resource lists kubectl builds its REST mapping from.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GROUP_ORDER, RESOURCES, resourcesOf, type ResourceInfo } from '../api/resources.js';
import type { Obj } from '../api/types.js';
import { sendJSON } from './http.js';
import type { RequestInfo } from './requestinfo.js';

const cache = new Map<string, string>();

function cached(key: string, build: () => Obj): string {
  let s = cache.get(key);
  if (!s) { s = JSON.stringify(build()); cache.set(key, s); }
  return s;
}

function storageVersionHash(ri: ResourceInfo): string {
  return createHash('sha256').update(`${ri.group}/${ri.version}/${ri.kind}`).digest('base64').slice(0, 11) + '=';
}

function resourceList(group: string, version: string): Obj {
  const resources: Obj[] = [];
  for (const ri of resourcesOf(group, version)) {
    const r: Obj = { name: ri.plural, singularName: ri.singular, namespaced: ri.namespaced, kind: ri.kind, verbs: ri.verbs };
    if (ri.shortNames) r.shortNames = ri.shortNames;
    if (ri.categories) r.categories = ri.categories;
    if (!ri.virtual) r.storageVersionHash = storageVersionHash(ri);
    resources.push(r);
    for (const s of ri.subresources ?? []) {
      const sr: Obj = { name: `${ri.plural}/${s.name}`, singularName: '', namespaced: ri.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group) { sr.group = s.group; sr.version = s.version; }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroup(group: string, versions: string[]): Obj {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

function aggregatedVersion(group: string, version: string): Obj {
  return {
    version,
    resources: resourcesOf(group, version).map((ri) => {
      const r: Obj = {
        resource: ri.plural,
        // the resource's own kind is in its group-version: upstream leaves those empty
        responseKind: { group: '', version: '', kind: ri.kind },
        scope: ri.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: ri.singular,
        verbs: ri.verbs,
      };
      if (ri.shortNames) r.shortNames = ri.shortNames;
      if (ri.categories) r.categories = ri.categories;
      if (ri.subresources?.length) {
        r.subresources = ri.subresources.map((s) => ({
          subresource: s.name,
          responseKind: { group: s.group ?? '', version: s.version ?? '', kind: s.kind },
          verbs: s.verbs,
        }));
      }
      return r;
    }),
    freshness: 'Current',
  };
}

function aggregated(kind: 'api' | 'apis', apiVersion: string): Obj {
  const items = kind === 'api'
    ? [{ metadata: { creationTimestamp: null }, versions: [aggregatedVersion('', 'v1')] }]
    : GROUP_ORDER.map((g) => ({ metadata: { name: g.group, creationTimestamp: null }, versions: g.versions.map((v) => aggregatedVersion(g.group, v)) }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** The aggregated discovery version the client accepts, if any (v2 preferred). */
function wantsAggregated(req: IncomingMessage): string | undefined {
  const accept = String(req.headers.accept ?? '');
  for (const part of accept.split(',')) {
    const p = part.trim();
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (/v=v2(;|$)/.test(p.replace(/\s/g, ''))) return 'v2';
    if (/v=v2beta1(;|$)/.test(p.replace(/\s/g, ''))) return 'v2beta1';
  }
  return undefined;
}

function sendCached(req: IncomingMessage, res: ServerResponse, body: string, contentType = 'application/json'): void {
  const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, { ETag: etag }); res.end(); return; }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ETag: etag, Vary: 'Accept' });
  res.end(body);
}

/** Serves discovery paths; returns false for anything else. */
export function serveDiscovery(req: IncomingMessage, res: ServerResponse, info: RequestInfo, serverAddress: string): boolean {
  const parts = info.path.split('/').filter(Boolean);
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (parts[0] === 'api') {
    if (parts.length === 1) {
      const agg = wantsAggregated(req);
      if (agg) {
        sendCached(req, res, cached(`agg-api-${agg}`, () => aggregated('api', `apidiscovery.k8s.io/${agg}`)), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
      } else {
        sendJSON(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
      }
      return true;
    }
    if (parts.length === 2 && parts[1] === 'v1') { sendCached(req, res, cached('api/v1', () => resourceList('', 'v1'))); return true; }
    return false;
  }
  if (parts[0] !== 'apis') return false;
  if (parts.length === 1) {
    const agg = wantsAggregated(req);
    if (agg) {
      sendCached(req, res, cached(`agg-apis-${agg}`, () => aggregated('apis', `apidiscovery.k8s.io/${agg}`)), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
    } else {
      sendCached(req, res, cached('apis', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: GROUP_ORDER.map((g) => apiGroup(g.group, g.versions)) })));
    }
    return true;
  }
  const g = GROUP_ORDER.find((x) => x.group === parts[1]);
  if (!g) return false;
  if (parts.length === 2) { sendCached(req, res, cached(`apis/${g.group}`, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) }))); return true; }
  if (parts.length === 3 && g.versions.includes(parts[2])) {
    sendCached(req, res, cached(`apis/${g.group}/${parts[2]}`, () => resourceList(g.group, parts[2])));
    return true;
  }
  return false;
}

export { RESOURCES };
