// Request generators for the API fuzz test: real resource paths from the scheme, then
// mutated methods, paths, query parameters, content types and bodies. Seeded, so a
// failing run can be replayed with FUZZ_SEED.
import { RESOURCES, type ResourceInfo } from '../api/resources.js';

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Watch requests stream: the fuzzer reads the status line and hangs up. */
  stream: boolean;
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const chance = (r: Rng, p: number) => r() < p;

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];
const NAMES = ['fuzz-1', 'fuzz-2', 'fuzz-3', 'kubernetes', 'default', 'x', 'a.b', 'UPPER', 'bad_name', '-lead', 'trail-', '',
  'x'.repeat(64), 'y'.repeat(254), 'z'.repeat(1000), '%00', '%2e%2e', '..', '.', 'a%2Fb', 'ü', '%ff', 'a%20b', '~', "'", '%'];
const SUBS = ['status', 'scale', 'binding', 'eviction', 'ephemeralcontainers', 'token', 'finalize', 'log', 'exec', 'proxy', 'attach', 'portforward', 'junk', ''];

const QUERY: Record<string, readonly string[]> = {
  limit: ['-1', '0', '1', '2', 'abc', '1e9', '99999999999999999999', '', '0x10'],
  continue: ['garbage', Buffer.from('{"v":"meta.k8s.io/v1","rv":-5,"start":"x"}').toString('base64'),
    Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"/"}').toString('base64url'), Buffer.from('not json').toString('base64'), '%%%', '', '====='],
  resourceVersion: ['abc', '-1', '0', '1', '99999999999', '', '1.5', '9'.repeat(40)],
  resourceVersionMatch: ['Exact', 'NotOlderThan', 'junk', ''],
  watch: ['true', '1', 'junk', 'false', ''],
  timeoutSeconds: ['-5', 'abc', '1', '0', '99999999999999'],
  allowWatchBookmarks: ['true', 'junk'],
  sendInitialEvents: ['true', 'junk'],
  labelSelector: ['a in (', '!!', 'a=b=c', 'a notin ()', ',', 'a,b,', '=', 'k'.repeat(1000), 'a in (b,c)', '!a', 'a!=b', 'a>1', 'a==b', '(', 'x=%', 'a in (b', 'a, in'],
  fieldSelector: ['metadata.name=x', 'spec.nodeName==', 'foo.bar=baz', '=', 'metadata.name in (x)', '!', 'status.phase!=Running', 'metadata.namespace=', ',,', 'a=b=c'],
  dryRun: ['All', 'junk', ''],
  fieldManager: ['m'.repeat(200), '', 'kubectl', '\u0000'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'junk', ''],
  propagationPolicy: ['Foreground', 'Background', 'Orphan', 'junk'],
  gracePeriodSeconds: ['-1', 'abc', '0', '30'],
  force: ['true', 'junk'],
  pretty: ['true', 'junk'],
  includeObject: ['junk', 'Object', 'None'],
  orphanDependents: ['junk', 'true'],
  junk: ['%', '%zz', ''],
};

const ACCEPT = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', '*/*', 'text/html', 'junk/;;',
  'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/json;as=Junk;v=v9;g=x',
  'application/apply-patch+yaml', 'application/cbor'];
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+cbor', 'application/vnd.kubernetes.protobuf',
  'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', ';;;', 'application/cbor'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

const OTHER_PATHS = ['/', '/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/apis/junk.example.com/v1', '/api/v9',
  '/version', '/healthz', '/livez', '/readyz', '/readyz?verbose', '/healthz/ping', '/metrics', '/openapi/v2', '/openapi/v3',
  '/openapi/v3/api/v1', '/openapi/v3/apis/apps/v1', '/openapi/v3/apis/junk/v1', '/apis/apiregistration.k8s.io/v1', '/logs',
  '/.well-known/openid-configuration', '/openid/v1/jwks', '/api/v1/namespaces/%', '/api/v1/namespaces//pods', '//api//v1'];

/** Minimal valid objects, per kind, that mutations start from. */
function template(res: ResourceInfo, ns: string, name: string): Record<string, unknown> {
  const apiVersion = res.group ? `${res.group}/${res.version}` : res.version;
  const meta: Record<string, unknown> = { name, labels: { app: 'fuzz' } };
  if (res.namespaced) meta.namespace = ns;
  const pod = { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '100m', memory: '64Mi' } } }] };
  const sel = { matchLabels: { app: 'fuzz' } };
  const podTpl = { metadata: { labels: { app: 'fuzz' } }, spec: pod };
  const spec: Record<string, Record<string, unknown>> = {
    ConfigMap: { data: { a: 'b' } },
    Secret: { stringData: { a: 'b' }, type: 'Opaque' },
    Pod: { spec: pod },
    Service: { spec: { selector: { app: 'fuzz' }, ports: [{ port: 80, targetPort: 8080 }] } },
    Deployment: { spec: { replicas: 1, selector: sel, template: podTpl } },
    ReplicaSet: { spec: { replicas: 1, selector: sel, template: podTpl } },
    StatefulSet: { spec: { replicas: 1, selector: sel, serviceName: 'x', template: podTpl } },
    DaemonSet: { spec: { selector: sel, template: podTpl } },
    Job: { spec: { template: { ...podTpl, spec: { ...pod, restartPolicy: 'Never' } } } },
    CronJob: { spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { ...pod, restartPolicy: 'Never' } } } } } },
    Namespace: {},
    Node: { spec: { podCIDR: '10.42.0.0/24' } },
    Role: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    ClusterRole: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    Scale: { spec: { replicas: 2 } },
  };
  return { apiVersion, kind: res.kind, metadata: meta, ...(spec[res.kind] ?? {}) };
}

function junkValue(r: Rng, depth = 0): unknown {
  switch (Math.floor(r() * 14)) {
    case 0: return null;
    case 1: return -1;
    case 2: return 1.5e300;
    case 3: return 'x'.repeat(Math.floor(r() * 5000));
    case 4: return r() < 0.5;
    case 5: return [];
    case 6: return {};
    case 7: return depth < 3 ? [junkValue(r, depth + 1), junkValue(r, depth + 1)] : 'deep';
    case 8: return depth < 3 ? { [pick(r, ['a', 'name', 'metadata', '$patch', 'spec', ''])]: junkValue(r, depth + 1) } : 0;
    case 9: return 2 ** 53 + 1;
    case 10: return -0.5;
    case 11: return '\u0000\uffff\ud800';
    case 12: return nested(Math.floor(r() * 2000) + 1);
    default: return pick(r, ['', 'Always', 'TCP', '100m', '-1Gi', 'abc', '1e3', '::', 'busybox']);
  }
}

/** {"a":{"a":...}} depth levels deep, as a value. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Sets, deletes or retypes a random field anywhere in the object. */
function mutateObject(r: Rng, obj: unknown, rounds: number): unknown {
  if (chance(r, 0.05)) return junkValue(r);
  for (let i = 0; i < rounds; i++) {
    let cur = obj as Record<string, unknown>;
    // walk down a random path
    for (let d = 0; d < 6 && cur && typeof cur === 'object'; d++) {
      const keys = Object.keys(cur);
      if (!keys.length || chance(r, 0.3)) break;
      const next = cur[pick(r, keys)];
      if (!next || typeof next !== 'object') break;
      cur = next as Record<string, unknown>;
    }
    if (!cur || typeof cur !== 'object') continue;
    const keys = Object.keys(cur);
    const key = keys.length && chance(r, 0.7) ? pick(r, keys) : pick(r, ['unknownField', 'apiVersion', 'kind', 'metadata', 'spec', 'status', 'resourceVersion', 'uid', 'finalizers', 'ownerReferences', 'managedFields', 'deletionTimestamp', 'generateName', '$patch', '$retainKeys', '$setElementOrder/containers']);
    if (chance(r, 0.25)) delete cur[key];
    else cur[key] = junkValue(r);
  }
  return obj;
}

function patchBody(r: Rng, type: string, base: Record<string, unknown>): string {
  if (type === 'application/json-patch+json') {
    const ops = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
      const op: Record<string, unknown> = {
        op: pick(r, ['add', 'remove', 'replace', 'move', 'copy', 'test', 'junk', '']),
        path: pick(r, ['/metadata/labels/a', '/metadata/labels', '/spec', '', '/', '/a/b/c/-/x', '/metadata/name', '/spec/containers/0/image', '/spec/containers/-', '/spec/containers/99', '~2', '/metadata/annotations/a~1b', 'no-slash']),
      };
      if (chance(r, 0.7)) op.value = junkValue(r);
      if (chance(r, 0.3)) op.from = pick(r, ['/metadata/labels', '/nope', '', '/spec/containers/0']);
      return op;
    });
    return JSON.stringify(chance(r, 0.1) ? ops[0] : ops);
  }
  if (type === 'application/apply-patch+yaml') {
    const obj = mutateObject(r, structuredClone(base), Math.floor(r() * 3));
    return chance(r, 0.5) ? JSON.stringify(obj) : toYaml(obj);
  }
  const obj = mutateObject(r, structuredClone(base), 1 + Math.floor(r() * 3)) as Record<string, unknown>;
  if (type === 'application/strategic-merge-patch+json' && obj && typeof obj === 'object' && chance(r, 0.5)) {
    const spec = (obj.spec && typeof obj.spec === 'object' ? obj.spec : (obj.spec = {})) as Record<string, unknown>;
    const directive = pick(r, ['$patch', '$setElementOrder/containers', '$retainKeys', '$deleteFromPrimitiveList/finalizers', '$setElementOrder/ports']);
    spec[directive] = pick(r, ['delete', 'replace', 'merge', 'junk', [{ name: 'c' }], [{ nope: 1 }], ['a'], 5, null]);
    if (chance(r, 0.3)) spec.containers = [{ name: 'c', $patch: pick(r, ['delete', 'replace', 'junk']) }, { $patch: 'delete' }];
  }
  return JSON.stringify(obj);
}

/**
 * A deliberately naive YAML writer (flow style for leaves), good enough to feed the decoder.
 * Below 50 levels it switches to flow style (JSON is YAML), so thousands of levels of
 * nesting still reach the server (whose depth guard they test) without exhausting this
 * writer's stack.
 */
function toYaml(v: unknown, indent = '', depth = 0): string {
  if (v && typeof v === 'object' && !Array.isArray(v) && depth < 50) {
    const entries = Object.entries(v as object);
    if (!entries.length) return '{}';
    return entries.map(([k, x]) => (x && typeof x === 'object' && Object.keys(x).length
      ? `${indent}${JSON.stringify(k)}:\n${toYaml(x, indent + '  ', depth + 1)}` : `${indent}${JSON.stringify(k)}: ${JSON.stringify(x)}`)).join('\n');
  }
  return `${indent}${JSON.stringify(v)}`;
}

const RAW_BODIES = ['', '{', '{"a":', 'null', '[]', '123', '"str"', '{"apiVersion":"v1"}', '\ufeff{"kind":"ConfigMap"}',
  '{"kind":"ConfigMap","kind":"Pod"}', '{"metadata":{"name":NaN}}', '{"n":1e400}', '[' .repeat(100_000), '{"a":'.repeat(50_000),
  'a: [', 'key: &a [*a, *a]\nb: *a', 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  '\tkind: ConfigMap', '---\n---\n', 'kind: ConfigMap\n---\nkind: Pod', 'x: !!binary AAAA', 'f: !!js/function "function(){}"',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  name: z', '\u0000\u0001\u0002', '<xml/>', 'kind: ConfigMap\nmetadata: {name: "a"}\ndata: {a: 1}'];

export class Generator {
  private readonly r: Rng;
  private readonly resources: ResourceInfo[];
  constructor(seed: number, private readonly ns: string) {
    this.r = rng(seed);
    this.resources = RESOURCES;
  }

  resourcePath(res: ResourceInfo, name?: string, sub?: string): string {
    const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
    let p = res.namespaced ? `${base}/namespaces/${this.ns}/${res.plural}` : `${base}/${res.plural}`;
    if (name !== undefined) p += `/${name}`;
    if (sub !== undefined) p += `/${sub}`;
    return p;
  }

  /** Valid objects to create before fuzzing, so gets/updates/patches reach existing ones. */
  seeds(): { path: string; body: Record<string, unknown> }[] {
    const kinds = ['ConfigMap', 'Secret', 'Pod', 'Service', 'Deployment', 'ReplicaSet', 'Job', 'ServiceAccount', 'Role'];
    return this.resources.filter((x) => kinds.includes(x.kind) && x.namespaced).flatMap((res) =>
      ['fuzz-1', 'fuzz-2'].map((name) => ({ path: this.resourcePath(res), body: template(res, this.ns, name) })));
  }

  next(): FuzzRequest {
    const r = this.r;
    const res = pick(r, this.resources);
    let method = pick(r, METHODS);
    const name = chance(r, 0.65) ? pick(r, NAMES.slice(0, 3)) : chance(r, 0.5) ? pick(r, NAMES) : undefined;
    const sub = name !== undefined && chance(r, 0.25) ? pick(r, [...(res.subresources ?? []).map((s) => s.name), ...SUBS]) : undefined;
    let path = chance(r, 0.08) ? pick(r, OTHER_PATHS) : this.resourcePath(res, name, sub);
    path = this.mutatePath(path);

    const q = new URLSearchParams();
    const nq = chance(r, 0.5) ? 0 : 1 + Math.floor(r() * 3);
    for (let i = 0; i < nq; i++) { const k = pick(r, Object.keys(QUERY)); q.append(k, pick(r, QUERY[k])); }
    const watch = q.get('watch');
    const stream = watch === 'true' || watch === '1' || q.has('follow');
    let qs = q.toString();
    if (chance(r, 0.03)) qs += pick(r, ['&%', '&a=%zz', '&&&', '&limit', '&watch']);

    const headers: Record<string, string> = {};
    if (chance(r, 0.4)) headers.accept = pick(r, ACCEPT);
    let body: string | Buffer | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH' || (method === 'DELETE' && chance(r, 0.3)) || chance(r, 0.03)) {
      const base = template(res, this.ns, name && !name.includes('%') ? name : 'fuzz-1');
      const roll = r();
      if (method === 'PATCH' || (roll < 0.1 && method !== 'GET')) {
        const type = chance(r, 0.9) ? pick(r, PATCH_TYPES) : pick(r, CONTENT_TYPES);
        headers['content-type'] = type;
        body = patchBody(r, type, base);
        if (type === 'application/apply-patch+yaml' && chance(r, 0.7)) q.set('fieldManager', 'fuzz');
        qs = q.toString();
      } else if (roll < 0.55) {
        body = JSON.stringify(mutateObject(r, base, Math.floor(r() * 4)));
        headers['content-type'] = chance(r, 0.9) ? 'application/json' : pick(r, CONTENT_TYPES);
      } else if (roll < 0.65) {
        body = toYaml(mutateObject(r, base, Math.floor(r() * 3)));
        headers['content-type'] = 'application/yaml';
      } else if (roll < 0.9) {
        body = pick(r, RAW_BODIES);
        headers['content-type'] = pick(r, CONTENT_TYPES);
      } else if (roll < 0.96) {
        const valid = JSON.stringify(base);
        body = valid.slice(0, Math.floor(r() * valid.length)); // truncated
        headers['content-type'] = 'application/json';
      } else if (roll < 0.985) {
        body = Buffer.from(Array.from({ length: Math.floor(r() * 4096) }, () => Math.floor(r() * 256)));
        headers['content-type'] = pick(r, CONTENT_TYPES);
      } else {
        // Over the 3 MiB request limit: 413, not a crash.
        body = JSON.stringify({ ...base, data: { big: 'x'.repeat(3 * 1024 * 1024 + Math.floor(r() * 1024 * 1024)) } });
        headers['content-type'] = 'application/json';
      }
    }
    if (chance(r, 0.01)) method = method.toLowerCase();
    return { method, path: qs ? `${path}?${qs}` : path, headers, body, stream };
  }

  private mutatePath(p: string): string {
    const r = this.r;
    if (!chance(r, 0.15)) return p;
    const segs = p.split('/');
    switch (Math.floor(r() * 9)) {
      case 0: return p + '/';
      case 1: return p.replace(/\//g, '//');
      case 2: return p + '/extra/segments/here';
      case 3: segs[1 + Math.floor(r() * (segs.length - 1))] = pick(r, NAMES); return segs.join('/');
      case 4: return p.toUpperCase();
      case 5: return p.replace(/v1/, pick(r, ['v9', 'v1beta9', 'V1', '']));
      case 6: return segs.slice(0, Math.max(2, Math.floor(r() * segs.length))).join('/') || '/';
      case 7: return p.replace('/namespaces/', pick(r, ['/namespaces/NS_BAD/', '/namespaces//', '/namespace/', '/namespaces/' + 'n'.repeat(300) + '/']));
      default: return p + '/' + 'p'.repeat(Math.floor(r() * 10_000));
    }
  }
}
