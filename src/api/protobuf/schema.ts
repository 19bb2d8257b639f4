// The message table (generated/table.ts) turned into linked descriptors, built lazily, and
// the (apiVersion, kind) -> message lookup for top-level objects.
import { TABLE_JSON } from './generated/table.js';
import { ProtobufError } from './wire.js';

export type Scalar = 's' | 'b' | 'i32' | 'i64' | 'u32' | 'u64' | 'f64' | 'f32' | 'y';
export type Special = 'Time' | 'MicroTime' | 'Duration' | 'FieldsV1' | 'Quantity' | 'IntOrString' | 'RawExtension';

/** A Go field type, as far as the wire and encoding/json care. */
export type GoType =
  | { k: 'scalar'; s: Scalar }
  | { k: 'ptr'; e: GoType }
  | { k: 'list'; e: GoType } // repeated field (Go slice)
  | { k: 'wrap'; e: GoType } // named slice sent as message { repeated e items = 1; }
  | { k: 'map'; key: GoType; val: GoType }
  | { k: 'special'; n: Special }
  | { k: 'msg'; name: string };

export interface Field {
  json: string; // '' for inline
  num: number;
  t: GoType;
  omitempty: boolean;
  inline: boolean;
}

export interface Message {
  name: string;
  fields: Field[]; // Go struct order (= encoding/json output order)
  byNum: Map<number, Field>;
  sorted: Field[]; // by field number (= gogo marshal order)
}

type RawField = [string, number, string, number?];
let table: Record<string, Record<string, RawField[]>> | undefined;
const messages = new Map<string, Message>();

function raw(): Record<string, Record<string, RawField[]>> {
  table ??= JSON.parse(TABLE_JSON) as Record<string, Record<string, RawField[]>>;
  return table;
}

const SCALARS = new Set(['s', 'b', 'i32', 'i64', 'u32', 'u64', 'f64', 'f32', 'y']);
const SPECIALS = new Set(['Time', 'MicroTime', 'Duration', 'FieldsV1', 'Quantity', 'IntOrString', 'RawExtension']);

function parseType(code: string, pkg: string): GoType {
  if (code.startsWith('*')) return { k: 'ptr', e: parseType(code.slice(1), pkg) };
  if (code.startsWith('~[')) return { k: 'wrap', e: parseType(code.slice(2), pkg) };
  if (code.startsWith('[')) return { k: 'list', e: parseType(code.slice(1), pkg) };
  if (code.startsWith('{')) {
    const close = code.indexOf('}');
    return { k: 'map', key: parseType(code.slice(1, close), pkg), val: parseType(code.slice(close + 1), pkg) };
  }
  if (code.startsWith('#')) {
    const n = code.slice(1);
    if (!SPECIALS.has(n)) throw new Error(`protobuf table: unknown special type ${code}`);
    return { k: 'special', n: n as Special };
  }
  if (SCALARS.has(code)) return { k: 'scalar', s: code as Scalar };
  return { k: 'msg', name: code.includes('.') ? code : `${pkg}.${code}` };
}

/** The descriptor of a message by its full name (io.k8s.api.apps.v1.Deployment), or undefined. */
export function findMessage(name: string): Message | undefined {
  const hit = messages.get(name);
  if (hit) return hit;
  const dot = name.lastIndexOf('.');
  const pkg = name.slice(0, dot);
  const t = raw(), short = name.slice(dot + 1);
  // Own properties only: names come from untrusted input ("constructor", "__proto__").
  if (!Object.hasOwn(t, pkg) || !Object.hasOwn(t[pkg], short)) return undefined;
  const rows = t[pkg][short];
  const fields: Field[] = rows.map(([json, num, code, flags = 0]) => ({
    json, num, t: parseType(code, pkg), omitempty: (flags & 1) !== 0, inline: (flags & 2) !== 0,
  }));
  const m: Message = { name, fields, byNum: new Map(fields.map((f) => [f.num, f])), sorted: [...fields].sort((a, b) => a.num - b.num) };
  messages.set(name, m);
  return m;
}

export function message(name: string): Message {
  const m = findMessage(name);
  if (!m) throw new ProtobufError(`no protobuf message ${name}`);
  return m;
}

/** Go package (as a name prefix) of an API group: "" -> core, "rbac.authorization.k8s.io" -> rbac. */
function groupPackage(group: string): string {
  if (group === '') return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  return group.split('.')[0];
}

// Kinds every group version serves from meta/v1 (kube registers them into each group version).
const META_KINDS = new Set(['DeleteOptions', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions',
  'Status', 'WatchEvent', 'APIVersions', 'APIGroup', 'APIGroupList', 'APIResourceList', 'PartialObjectMetadata',
  'PartialObjectMetadataList']);
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The message of a top-level object; undefined when no such kind has a protobuf encoding. */
export function messageForKind(apiVersion: string, kind: string): Message | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!/^v\d+((alpha|beta)\d+)?$/.test(version)) return undefined;
  const own = group === 'meta.k8s.io' ? undefined : findMessage(`io.k8s.api.${groupPackage(group)}.${version}.${kind}`);
  if (own) return own;
  return META_KINDS.has(kind) ? findMessage(`${META}.${kind}`) : undefined;
}
