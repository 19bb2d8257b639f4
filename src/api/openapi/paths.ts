// The REST operations of one group-version, in a neutral form that v2.ts (swagger 2.0) and
// v3.ts (OpenAPI 3.0) render. Derived from the resource table (../resources.ts) the way
// kube-apiserver's installer derives its routes: per verb, per scope, per subresource.

import { resourcesOf, type ResourceInfo, type SubresourceInfo } from '../resources.js';
import { definitionNameOf, type GVK } from './defs.js';

export type ParamType = 'string' | 'boolean' | 'integer';

export interface Param {
  name: string;
  in: 'query' | 'path';
  type: ParamType;
  description: string;
  required?: boolean;
}

export interface Response {
  code: string;
  description: string;
  /** Definition name of the body, or undefined for a plain string body. */
  ref?: string;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';
  operationId: string;
  description: string;
  tag: string;
  /** x-kubernetes-action; empty for operations outside the resource model (discovery). */
  action: string;
  gvk?: GVK;
  query: Param[];
  /** Definition name of the request body (create, update, patch, delete). */
  body?: string;
  consumes: string[];
  produces: string[];
  responses: Response[];
}

export interface PathItem {
  path: string;
  params: Param[];
  ops: Operation[];
}

// Query parameters, described in our own words.
const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });
export const PARAMS = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers may ignore it and send bookmarks at their own discretion; clients must not assume any interval.'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server: its value is the continue token of the previous list response. Tokens expire; an expired token answers 410 ResourceExpired.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'limit is the maximum number of responses to return for a list call. When more items exist, the server sets the continue field on the list metadata for the next request.'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset (most recent).'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls: Exact or NotOlderThan. Requires resourceVersion.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true: the stream begins with synthetic events for the current state, followed by a bookmark.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: All (all dry run stages are processed). An invalid or unrecognized value is an error.'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. At most 128 printable characters.'),
  fieldValidation: q('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore (drop them silently), Warn (drop them and answer one warning header per field; the default), Strict (fail the request with BadRequest listing every unknown and duplicate field).'),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests: the user re-acquires conflicting fields owned by other people. Must be unset for non-apply patch requests.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Zero means delete immediately. Defaults to the per-type default when unset.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'If set, a corrupt object that cannot be read from storage is deleted anyway (unsafe; may break the cluster).'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Should dependent objects be orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  container: q('container', 'string', 'The container for which to stream logs or run the command. Defaults to the only container if there is one.'),
  follow: q('follow', 'boolean', 'Follow the log stream of the pod. Defaults to false.'),
  insecureSkipTLSVerifyBackend: q('insecureSkipTLSVerifyBackend', 'boolean', 'Do not verify the serving certificate of the kubelet when fetching logs.'),
  limitBytes: q('limitBytes', 'integer', 'The number of bytes to read from the server before terminating the log output.'),
  previous: q('previous', 'boolean', 'Return previous terminated container logs. Defaults to false.'),
  sinceSeconds: q('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs.'),
  stream: q('stream', 'string', 'Which container log stream to return: All, Stdout or Stderr. Defaults to All.'),
  tailLines: q('tailLines', 'integer', 'If set, the number of lines from the end of the logs to show.'),
  timestamps: q('timestamps', 'boolean', 'If true, add an RFC3339 timestamp at the beginning of every line of log output.'),
  command: q('command', 'string', 'Command is the remote command to execute. argv array. Not executed within a shell.'),
  stderr: q('stderr', 'boolean', 'Redirect the standard error stream of the pod for this call.'),
  stdin: q('stdin', 'boolean', 'Redirect the standard input stream of the pod for this call. Defaults to false.'),
  stdout: q('stdout', 'boolean', 'Redirect the standard output stream of the pod for this call.'),
  tty: q('tty', 'boolean', 'TTY if true indicates that a tty will be allocated for the exec call. Defaults to false.'),
  ports: q('ports', 'integer', 'List of ports to forward.'),
  path: q('path', 'string', 'Path is the URL path to use for the current proxy request.'),
} satisfies Record<string, Param>;

const p = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description, required: true });
const NAMESPACE = p('namespace', 'object name and auth scope, such as for teams and projects');
const proxyPath = p('path', 'path to the resource');
const nameOf = (kind: string): Param => p('name', `name of the ${kind}`);

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const STATUS = `${META}.Status`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;
const WATCH_EVENT = `${META}.WatchEvent`;
const PATCH = `${META}.Patch`;

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
const PRODUCES = ['application/json', 'application/yaml'];
const PRODUCES_WATCH = ['application/json', 'application/yaml', 'application/json;stream=watch'];

const LIST_QUERY = [PARAMS.allowWatchBookmarks, PARAMS.continue, PARAMS.fieldSelector, PARAMS.labelSelector, PARAMS.limit,
  PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.sendInitialEvents, PARAMS.timeoutSeconds, PARAMS.watch];
const WRITE_QUERY = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
const PATCH_QUERY = [...WRITE_QUERY, PARAMS.force];
const DELETE_QUERY = [PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.ignoreStoreReadErrorWithClusterBreakingPotential,
  PARAMS.orphanDependents, PARAMS.propagationPolicy];
const DELETE_COLLECTION_QUERY = [PARAMS.continue, PARAMS.dryRun, PARAMS.fieldSelector, PARAMS.gracePeriodSeconds,
  PARAMS.ignoreStoreReadErrorWithClusterBreakingPotential, PARAMS.labelSelector, PARAMS.limit, PARAMS.orphanDependents,
  PARAMS.propagationPolicy, PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.sendInitialEvents, PARAMS.timeoutSeconds];
const LOG_QUERY = [PARAMS.container, PARAMS.follow, PARAMS.insecureSkipTLSVerifyBackend, PARAMS.limitBytes, PARAMS.previous,
  PARAMS.sinceSeconds, PARAMS.stream, PARAMS.tailLines, PARAMS.timestamps];
const CONNECT_QUERY: Record<string, Param[]> = {
  exec: [PARAMS.command, PARAMS.container, PARAMS.stderr, PARAMS.stdin, PARAMS.stdout, PARAMS.tty],
  attach: [PARAMS.container, PARAMS.stderr, PARAMS.stdin, PARAMS.stdout, PARAMS.tty],
  portforward: [PARAMS.ports],
};

/** "rbac.authorization.k8s.io" → "RbacAuthorization"; "" → "Core". */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** The tag kube-apiserver files a group-version's operations under ("core_v1", "rbacAuthorization_v1"). */
function tagOf(group: string, version: string): string {
  const w = groupWord(group);
  return `${w[0].toLowerCase()}${w.slice(1)}_${version}`;
}

const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);
const ok = (ref?: string, code = '200'): Response => ({ code, description: codeText(code), ref });
function codeText(code: string): string {
  return { '200': 'OK', '201': 'Created', '202': 'Accepted', '401': 'Unauthorized' }[code] ?? code;
}
const UNAUTHORIZED: Response = { code: '401', description: 'Unauthorized' };

/** Pods answer a delete with the pod (it may linger terminating); everything else with a Status. */
function deleteResult(ri: ResourceInfo, def: string): string {
  return ri.group === '' && ri.kind === 'Pod' ? def : STATUS;
}

/** Every path kube-apiserver would serve for this group-version's resources, sorted. */
export function groupVersionPaths(group: string, version: string): PathItem[] {
  const items = new Map<string, PathItem>();
  const item = (path: string, params: Param[]): PathItem => {
    let it = items.get(path);
    if (!it) { it = { path, params: [...params, PARAMS.pretty], ops: [] }; items.set(path, it); }
    return it;
  };
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gv = `${groupWord(group)}${cap(version)}`;
  const tag = tagOf(group, version);

  item(`${prefix}/`, []).params.pop(); // discovery takes no parameters
  items.get(`${prefix}/`)!.ops.push({ method: 'get', operationId: `get${gv}APIResources`, description: 'get available resources',
    tag, action: '', query: [], consumes: ['application/json', 'application/yaml'], produces: PRODUCES,
    responses: [ok(`${META}.APIResourceList`), UNAUTHORIZED] });

  for (const ri of resourcesOf(group, version)) {
    const def = definitionNameOf(ri.group, ri.version, ri.kind);
    const listDef = definitionNameOf(ri.group, ri.version, `${ri.kind}List`);
    const gvk: GVK = { group: ri.group, kind: ri.kind, version: ri.version };
    const ns = ri.namespaced ? 'Namespaced' : '';
    const scope = ri.namespaced ? [NAMESPACE] : [];
    const coll = ri.namespaced ? `${prefix}/namespaces/{namespace}/${ri.plural}` : `${prefix}/${ri.plural}`;
    const one = `${coll}/{name}`;
    const has = (v: string): boolean => ri.verbs.includes(v);
    const op = (o: Omit<Operation, 'tag' | 'consumes' | 'produces' | 'gvk'> & Partial<Operation>): Operation => ({
      tag, gvk, consumes: ['*/*'], produces: PRODUCES, ...o,
      responses: [...o.responses, UNAUTHORIZED],
    });

    if (has('list')) {
      item(coll, scope).ops.push(op({ method: 'get', operationId: `list${gv}${ns}${ri.kind}`, action: 'list',
        description: `list or watch objects of kind ${ri.kind}`, query: LIST_QUERY, produces: PRODUCES_WATCH, responses: [ok(listDef)] }));
      if (ri.namespaced) {
        item(`${prefix}/${ri.plural}`, []).ops.push(op({ method: 'get', operationId: `list${gv}${ri.kind}ForAllNamespaces`,
          action: 'list', description: `list or watch objects of kind ${ri.kind}`, query: LIST_QUERY, produces: PRODUCES_WATCH,
          responses: [ok(listDef)] }));
      }
    }
    if (has('create')) {
      item(coll, scope).ops.push(op({ method: 'post', operationId: `create${gv}${ns}${ri.kind}`, action: 'post',
        description: `create ${article(ri.kind)} ${ri.kind}`, query: WRITE_QUERY, body: def,
        responses: [ok(def), ok(def, '201'), ok(def, '202')] }));
    }
    if (has('deletecollection')) {
      item(coll, scope).ops.push(op({ method: 'delete', operationId: `delete${gv}Collection${ns}${ri.kind}`,
        action: 'deletecollection', description: `delete collection of ${ri.kind}`, query: DELETE_COLLECTION_QUERY,
        body: DELETE_OPTIONS, responses: [ok(STATUS)] }));
    }
    if (has('get')) {
      item(one, [nameOf(ri.kind), ...scope]).ops.push(op({ method: 'get', operationId: `read${gv}${ns}${ri.kind}`,
        action: 'get', description: `read the specified ${ri.kind}`, query: [], responses: [ok(def)] }));
    }
    if (has('update')) {
      item(one, [nameOf(ri.kind), ...scope]).ops.push(op({ method: 'put', operationId: `replace${gv}${ns}${ri.kind}`,
        action: 'put', description: `replace the specified ${ri.kind}`, query: WRITE_QUERY, body: def,
        responses: [ok(def), ok(def, '201')] }));
    }
    if (has('patch')) {
      item(one, [nameOf(ri.kind), ...scope]).ops.push(op({ method: 'patch', operationId: `patch${gv}${ns}${ri.kind}`,
        action: 'patch', description: `partially update the specified ${ri.kind}`, query: PATCH_QUERY, body: PATCH,
        consumes: PATCH_TYPES, responses: [ok(def), ok(def, '201')] }));
    }
    if (has('delete')) {
      const res = deleteResult(ri, def!);
      item(one, [nameOf(ri.kind), ...scope]).ops.push(op({ method: 'delete', operationId: `delete${gv}${ns}${ri.kind}`,
        action: 'delete', description: `delete ${article(ri.kind)} ${ri.kind}`, query: DELETE_QUERY, body: DELETE_OPTIONS,
        responses: [ok(res), ok(res, '202')] }));
    }
    if (has('watch')) {
      const wcoll = ri.namespaced ? `${prefix}/watch/namespaces/{namespace}/${ri.plural}` : `${prefix}/watch/${ri.plural}`;
      const watchQuery = LIST_QUERY;
      item(`${wcoll}/{name}`, [nameOf(ri.kind), ...scope]).ops.push(op({ method: 'get', operationId: `watch${gv}${ns}${ri.kind}`,
        action: 'watch', description: `watch changes to an object of kind ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        query: watchQuery, produces: PRODUCES_WATCH, responses: [ok(WATCH_EVENT)] }));
      item(wcoll, scope).ops.push(op({ method: 'get', operationId: `watch${gv}${ns}${ri.kind}List`, action: 'watchlist',
        description: `watch individual changes to a list of ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        query: watchQuery, produces: PRODUCES_WATCH, responses: [ok(WATCH_EVENT)] }));
      if (ri.namespaced) {
        item(`${prefix}/watch/${ri.plural}`, []).ops.push(op({ method: 'get', operationId: `watch${gv}${ri.kind}ListForAllNamespaces`,
          action: 'watchlist', description: `watch individual changes to a list of ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          query: watchQuery, produces: PRODUCES_WATCH, responses: [ok(WATCH_EVENT)] }));
      }
    }
    for (const sub of ri.subresources ?? []) subresourcePaths(ri, sub, { one, scope, gv, ns, op, item });
  }
  return [...items.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

interface Ctx {
  one: string;
  scope: Param[];
  gv: string;
  ns: string;
  op: (o: Omit<Operation, 'tag' | 'consumes' | 'produces' | 'gvk'> & Partial<Operation>) => Operation;
  item: (path: string, params: Param[]) => PathItem;
}

const CONNECT_METHODS: Record<string, Operation['method'][]> = {
  get: ['get', 'head', 'options'], create: ['post'], update: ['put'], patch: ['patch'], delete: ['delete'],
};

function subresourcePaths(ri: ResourceInfo, sub: SubresourceInfo, c: Ctx): void {
  const subGroup = sub.group ?? ri.group;
  const subVersion = sub.version ?? ri.version;
  const gvk: GVK = { group: subGroup, kind: sub.kind, version: subVersion };
  const def = definitionNameOf(subGroup, subVersion, sub.kind);
  const path = `${c.one}/${sub.name}`;
  const params = [nameOf(sub.kind === ri.kind ? ri.kind : sub.kind), ...c.scope];
  const what = `${sub.name} of the specified ${ri.kind}`;
  const Sub = sub.name.split(/[^a-z]/i).map(cap).join('');
  const base = `${c.ns}${ri.kind}${Sub}`;

  if (sub.name === 'log') {
    c.item(path, params).ops.push(c.op({ method: 'get', gvk, operationId: `read${c.gv}${base}`, action: 'get',
      description: `read log of the specified ${ri.kind}`, query: LOG_QUERY,
      produces: ['text/plain', 'application/json', 'application/yaml'], responses: [ok(undefined)] }));
    return;
  }
  if (!def) {
    // Connect subresources (exec, attach, portforward, proxy): options kinds without a schema.
    const query = CONNECT_QUERY[sub.name] ?? (sub.name === 'proxy' ? [PARAMS.path] : []);
    const methods = sub.verbs.flatMap((v) => CONNECT_METHODS[v] ?? []);
    const paths = sub.name === 'proxy' ? [path, `${path}/{path}`] : [path];
    for (const pth of paths) {
      const it = c.item(pth, pth.endsWith('{path}') ? [...params, proxyPath] : params);
      for (const m of methods) {
        it.ops.push(c.op({ method: m, gvk, operationId: `connect${c.gv}${cap(m)}${base}${pth.endsWith('{path}') ? 'WithPath' : ''}`,
          action: 'connect', description: `connect ${m.toUpperCase()} requests to ${sub.name} of ${ri.kind}`,
          query: pth.endsWith('{path}') ? [] : query, produces: ['*/*'], responses: [ok(undefined)] }));
      }
    }
    return;
  }
  const it = c.item(path, params);
  for (const verb of sub.verbs) {
    if (verb === 'get') {
      it.ops.push(c.op({ method: 'get', gvk, operationId: `read${c.gv}${base}`, action: 'get', description: `read ${what}`,
        query: [], responses: [ok(def)] }));
    } else if (verb === 'update') {
      it.ops.push(c.op({ method: 'put', gvk, operationId: `replace${c.gv}${base}`, action: 'put', description: `replace ${what}`,
        query: WRITE_QUERY, body: def, responses: [ok(def), ok(def, '201')] }));
    } else if (verb === 'patch') {
      it.ops.push(c.op({ method: 'patch', gvk, operationId: `patch${c.gv}${base}`, action: 'patch',
        description: `partially update ${what}`, query: PATCH_QUERY, body: PATCH, consumes: PATCH_TYPES,
        responses: [ok(def), ok(def, '201')] }));
    } else if (verb === 'create') {
      it.ops.push(c.op({ method: 'post', gvk, operationId: `create${c.gv}${base}`, action: 'post',
        description: `create ${sub.name} of ${article(ri.kind)} ${ri.kind}`, query: WRITE_QUERY, body: def,
        responses: [ok(def), ok(def, '201'), ok(def, '202')] }));
    }
  }
}

/** The definitions a group-version's paths use directly (kinds, lists, meta types). */
export function pathDefinitions(items: PathItem[]): string[] {
  const out = new Set<string>([STATUS, DELETE_OPTIONS, WATCH_EVENT, PATCH, `${META}.APIResourceList`]);
  for (const it of items) {
    for (const o of it.ops) {
      if (o.body) out.add(o.body);
      for (const r of o.responses) if (r.ref) out.add(r.ref);
    }
  }
  return [...out];
}
