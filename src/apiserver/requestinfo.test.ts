import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './requestinfo.js';

const q = (s = '') => new URLSearchParams(s);

test('request info resolves verbs, scopes and subresources like kube-apiserver', () => {
  const cases: [string, string, string, Record<string, string | boolean>][] = [
    ['GET', '/api/v1/namespaces/ns1/pods', '', { verb: 'list', namespace: 'ns1', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/ns1/pods', 'watch=true', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/watch/namespaces/ns1/pods', '', { verb: 'watch', namespace: 'ns1', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/ns1/pods/p1', '', { verb: 'get', name: 'p1' }],
    ['PUT', '/api/v1/namespaces/ns1/pods/p1/status', '', { verb: 'update', subresource: 'status', name: 'p1' }],
    ['GET', '/api/v1/namespaces/ns1', '', { verb: 'get', resource: 'namespaces', name: 'ns1', namespace: '' }],
    ['PUT', '/api/v1/namespaces/ns1/finalize', '', { verb: 'update', resource: 'namespaces', name: 'ns1', subresource: 'finalize' }],
    ['DELETE', '/apis/apps/v1/namespaces/a/deployments', '', { verb: 'deletecollection', group: 'apps', version: 'v1' }],
    ['DELETE', '/apis/apps/v1/namespaces/a/deployments/d', '', { verb: 'delete', name: 'd' }],
    ['POST', '/api/v1/nodes', '', { verb: 'create', resource: 'nodes', namespace: '' }],
    ['PATCH', '/apis/apps/v1/namespaces/a/deployments/d/scale', '', { verb: 'patch', subresource: 'scale' }],
    ['GET', '/apis/apps/v1', '', { isResourceRequest: false }],
    ['GET', '/healthz', '', { isResourceRequest: false }],
  ];
  for (const [m, path, query, want] of cases) {
    const info = parseRequestInfo(m, path, q(query));
    for (const [k, v] of Object.entries(want)) assert.equal((info as unknown as Record<string, unknown>)[k], v, `${m} ${path} ${k}`);
  }
});
