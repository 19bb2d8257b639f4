import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { encodeOpenAPIV2Protobuf } from './protobuf.js';
import { openapiV2, openapiV2Protobuf } from './v2.js';

// A minimal protobuf wire decoder: message bytes → field number → raw values
// (numbers for varints, Buffers for length-delimited, 'f64:<n>' for fixed64 doubles).
type Fields = Map<number, (number | bigint | Buffer | string)[]>;
function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      assert.ok(b !== undefined, 'truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let val: number | bigint | Buffer | string;
    if (wire === 0) { const v = varint(); val = v > BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v); }
    else if (wire === 2) { const len = Number(varint()); val = buf.subarray(i, i + len); i += len; assert.ok(i <= buf.length, 'truncated bytes'); }
    else if (wire === 1) { val = `f64:${buf.readDoubleLE(i)}`; i += 8; }
    else throw new Error(`unexpected wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(val);
  }
  return out;
}
const str = (f: Fields, n: number): string | undefined => (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');
const strs = (f: Fields, n: number): string[] => (f.get(n) ?? []).map((b) => (b as Buffer).toString('utf8'));
const msg = (f: Fields, n: number): Fields | undefined => (f.has(n) ? decode(f.get(n)![0] as Buffer) : undefined);
const msgs = (f: Fields, n: number): Fields[] => (f.get(n) ?? []).map((b) => decode(b as Buffer));
/** NamedX entries (name = 1, value = 2) as a map of decoded values. */
const named = (list: Fields[]): Map<string, Fields> => new Map(list.map((e) => [str(e, 1)!, msg(e, 2)!]));
const extensions = (f: Fields, n: number): Record<string, unknown> =>
  Object.fromEntries(msgs(f, n).map((e) => [str(e, 1)!, parseYaml(str(msg(e, 2)!, 2)!)]));

test('a small document round-trips field by field', () => {
  const doc = {
    swagger: '2.0',
    info: { title: 'T', version: 'v9' },
    paths: {
      '/a/{name}': {
        parameters: [{ in: 'path', name: 'name', required: true, type: 'string', uniqueItems: true, description: 'n' }],
        patch: {
          consumes: ['application/strategic-merge-patch+json'], operationId: 'patchA', produces: ['application/json'],
          parameters: [
            { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/A' } },
            { in: 'query', name: 'fieldValidation', type: 'string', uniqueItems: true, description: 'fv' },
          ],
          responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/A' } }, '401': { description: 'Unauthorized' } },
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group: '', kind: 'A', version: 'v1' },
        },
      },
    },
    definitions: {
      A: {
        type: 'object', required: ['x'], description: 'é ünïcode',
        properties: {
          x: { type: 'integer', format: 'int64', maximum: 2.5, minLength: 300 },
          l: { type: 'array', items: { $ref: '#/definitions/B' }, 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
          m: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
          n: { type: 'integer', minimum: -3 },
        },
        'x-kubernetes-group-version-kind': [{ group: '', kind: 'A', version: 'v1' }],
      },
      B: { type: 'object', additionalProperties: false },
    },
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  const d = decode(encodeOpenAPIV2Protobuf(doc));
  assert.equal(str(d, 1), '2.0');
  assert.deepEqual([str(msg(d, 2)!, 1), str(msg(d, 2)!, 2)], ['T', 'v9']);

  const paths = named(msgs(msg(d, 8)!, 2));
  const item = paths.get('/a/{name}')!;
  const pathParam = msg(msg(msg(msgs(item, 9)[0], 1)!, 2)!, 4)!; // ParametersItem → Parameter → NonBody → path
  assert.deepEqual([pathParam.get(1), str(pathParam, 2), str(pathParam, 4), str(pathParam, 5), pathParam.get(19)], [[1], 'path', 'name', 'string', [1]]);
  const op = msg(item, 8)!; // patch
  assert.equal(str(op, 5), 'patchA');
  assert.deepEqual(strs(op, 7), ['application/strategic-merge-patch+json']);
  const [body, query] = msgs(op, 8).map((pi) => msg(pi, 1)!);
  const bodyParam = msg(body, 1)!;
  assert.deepEqual([str(bodyParam, 2), str(bodyParam, 3), str(msg(bodyParam, 5)!, 1)], ['body', 'body', '#/definitions/A']);
  const q = msg(msg(query, 2)!, 3)!; // NonBody → query
  assert.deepEqual([str(q, 2), str(q, 4), str(q, 6), q.get(20)], ['query', 'fieldValidation', 'string', [1]]);
  const responses = named(msgs(msg(op, 9)!, 1));
  assert.equal(str(msg(msg(msg(responses.get('200')!, 1)!, 2)!, 1)!, 1), '#/definitions/A'); // ResponseValue → Response → SchemaItem → Schema.$ref
  assert.equal(str(msg(responses.get('401')!, 1)!, 1), 'Unauthorized');
  assert.deepEqual(extensions(op, 13), { 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': { group: '', kind: 'A', version: 'v1' } });

  const defs = named(msgs(msg(d, 9)!, 1));
  const a = defs.get('A')!;
  assert.equal(str(a, 4), 'é ünïcode');
  assert.deepEqual(strs(msg(a, 22)!, 1), ['object']);
  assert.deepEqual(strs(a, 19), ['x']);
  assert.deepEqual(extensions(a, 31), { 'x-kubernetes-group-version-kind': [{ group: '', kind: 'A', version: 'v1' }] });
  const props = named(msgs(msg(a, 25)!, 1));
  assert.deepEqual([str(props.get('x')!, 2), props.get('x')!.get(7), props.get('x')!.get(12)], ['int64', ['f64:2.5'], [300]]);
  assert.deepEqual(props.get('n')!.get(9), ['f64:-3']);
  const l = props.get('l')!;
  assert.equal(str(msg(msg(l, 23)!, 1)!, 1), '#/definitions/B'); // ItemsItem → Schema.$ref
  assert.deepEqual(extensions(l, 31), { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
  const ap = msg(msg(props.get('m')!, 21)!, 1)!; // AdditionalPropertiesItem → schema
  assert.deepEqual([strs(msg(ap, 22)!, 1), str(ap, 2)], [['string'], 'byte']);
  const bFalse = msg(defs.get('B')!, 21)!; // additionalProperties: false is a present oneof with a zero bool
  assert.deepEqual([...bFalse.keys()], []);

  const sec = named(msgs(msg(d, 13)!, 1)).get('BearerToken')!;
  const apiKey = msg(sec, 2)!;
  assert.deepEqual([str(apiKey, 1), str(apiKey, 2), str(apiKey, 3)], ['apiKey', 'authorization', 'header']);
  assert.equal(str(msg(msgs(d, 12)[0], 1)!, 1), 'BearerToken'); // SecurityRequirement → NamedStringArray
});

test('negative int64 values use ten-byte two\'s complement', () => {
  const d = decode(encodeOpenAPIV2Protobuf({ definitions: { X: { maxLength: -1 } } }));
  const x = named(msgs(msg(d, 9)!, 1)).get('X')!;
  assert.deepEqual(x.get(11), [2n ** 64n - 1n]);
});

test('the served v2 document decodes with every definition, path and kind', () => {
  const doc = openapiV2() as { paths: Record<string, unknown>; definitions: Record<string, unknown> };
  const d = decode(openapiV2Protobuf());
  const defs = named(msgs(msg(d, 9)!, 1));
  assert.equal(defs.size, Object.keys(doc.definitions).length);
  const pod = defs.get('io.k8s.api.core.v1.Pod')!;
  assert.deepEqual(extensions(pod, 31)['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  const podSpec = named(msgs(msg(defs.get('io.k8s.api.core.v1.PodSpec')!, 25)!, 1));
  assert.deepEqual(extensions(podSpec.get('containers')!, 31), {
    'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
  });
  const paths = named(msgs(msg(d, 8)!, 2));
  assert.equal(paths.size, Object.keys(doc.paths).length);
  const patch = msg(paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!, 8)!;
  assert.deepEqual(strs(patch, 7), ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  const queryNames = msgs(patch, 8).map((pi) => msg(pi, 1)!).filter((p) => p.has(2)).map((p) => str(msg(msg(p, 2)!, 3)!, 4));
  assert.ok(queryNames.includes('fieldValidation'));
  assert.deepEqual(extensions(patch, 13)['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
});
