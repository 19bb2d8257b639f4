// Enumerations in the published OpenAPI (scripts/gen-openapi.mjs ENUMS): what kubectl explain
// reads to print its ENUM line, in every form skiff serves (definitions, v2 JSON, v3, v2 protobuf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitions, type Schema } from './defs.js';
import { encodeOpenAPIV2Protobuf } from './protobuf.js';
import { openapiV2 } from './v2.js';
import { openapiV3GroupVersion } from './v3.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RESTART_POLICY_SUFFIX = '\n\nPossible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`';

test('PodSpec.restartPolicy carries its enum and the upstream description lines', () => {
  const p = definitions()['io.k8s.api.core.v1.PodSpec'].properties!.restartPolicy;
  assert.equal(p.type, 'string');
  assert.deepEqual(p.enum, ['Always', 'Never', 'OnFailure']);
  assert.ok(p.description!.startsWith('Restart policy for all containers within the pod.'), p.description);
  assert.ok(p.description!.endsWith(`#restart-policy${RESTART_POLICY_SUFFIX}`), p.description);
});

test('list fields put the enum on their items, without description lines', () => {
  const d = definitions();
  const modes = d['io.k8s.api.core.v1.PersistentVolumeClaimSpec'].properties!.accessModes;
  assert.deepEqual(modes.items, { type: 'string', enum: ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] });
  assert.doesNotMatch(modes.description!, /Possible enum values/);
  assert.deepEqual(d['io.k8s.api.core.v1.ServiceSpec'].properties!.ipFamilies.items!.enum, ['', 'IPv4', 'IPv6']);
});

test('every enum is on a string field, sorted, and a scalar one is listed in its description', () => {
  let scalars = 0;
  let lists = 0;
  const groups = new Set<string>();
  for (const [name, def] of Object.entries(definitions())) {
    for (const [field, p] of Object.entries(def.properties ?? {})) {
      if (field === 'enum' && name.endsWith('JSONSchemaProps')) continue; // the CRD schema's own "enum" field
      const check = (s: Schema, where: string): string[] => {
        const values = s.enum as string[];
        assert.equal(s.type, 'string', where);
        assert.deepEqual([...values].sort(), values, `${where} sorted`);
        assert.equal(new Set(values).size, values.length, `${where} distinct`);
        groups.add(name.split('.').slice(0, -1).join('.'));
        return values;
      };
      if (p.enum) {
        const values = check(p, `${name}.${field}`);
        const lines = ['Possible enum values:', ...values.map((v) => ` - \`"${v}"\``)].join('\n');
        assert.ok(p.description?.endsWith(lines), `${name}.${field} description`);
        scalars++;
      }
      if (p.items?.enum) { check(p.items, `${name}.${field}[]`); lists++; }
    }
  }
  assert.ok(scalars >= 70 && lists >= 8, `${scalars} scalar and ${lists} list enums`);
  for (const g of ['core', 'apps', 'batch', 'networking', 'policy', 'storage', 'scheduling', 'discovery', 'admissionregistration']) {
    assert.ok(groups.has(`io.k8s.api.${g}.v1`), g);
  }
  assert.deepEqual(definitions()['io.k8s.api.apps.v1.DeploymentStrategy'].properties!.type.enum, ['Recreate', 'RollingUpdate']);
  assert.deepEqual(definitions()['io.k8s.api.batch.v1.CronJobSpec'].properties!.concurrencyPolicy.enum, ['Allow', 'Forbid', 'Replace']);
});

test('v2 and v3 documents publish the enum (v3 keeps it beside the field, not under allOf)', () => {
  const v2 = openapiV2() as Json;
  assert.deepEqual(v2.definitions['io.k8s.api.core.v1.PodSpec'].properties.restartPolicy.enum, ['Always', 'Never', 'OnFailure']);
  const core = openapiV3GroupVersion('api/v1') as Json;
  const rp = core.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.restartPolicy;
  assert.deepEqual(rp.enum, ['Always', 'Never', 'OnFailure']);
  assert.ok(rp.description.endsWith(RESTART_POLICY_SUFFIX));
  const apps = openapiV3GroupVersion('apis/apps/v1') as Json;
  assert.deepEqual(apps.components.schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties.podManagementPolicy.enum, ['OrderedReady', 'Parallel']);
});

// Just enough protobuf reading to find Document.definitions (9) → NamedSchema → Schema.enum (20).
function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let mul = 1; ; mul *= 128) {
      const b = buf[i++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
    }
  };
  while (i < buf.length) {
    const key = varint();
    assert.equal(key & 7, 2, 'only length-delimited fields expected here');
    const len = varint();
    const list = out.get(key >> 3) ?? [];
    list.push(buf.subarray(i, i + len));
    out.set(key >> 3, list);
    i += len;
  }
  return out;
}

test('the v2 protobuf encodes enum values as Schema field 20 (Any.yaml)', () => {
  const buf = encodeOpenAPIV2Protobuf({ definitions: { A: { type: 'string', enum: ['Always', 'Never'] } } });
  const defsMsg = fields(buf).get(9)![0];
  const named = fields(fields(defsMsg).get(1)![0]);
  assert.equal(named.get(1)![0].toString(), 'A');
  const schema = fields(named.get(2)![0]);
  const values = schema.get(20)!.map((any) => JSON.parse(fields(any).get(2)![0].toString()));
  assert.deepEqual(values, ['Always', 'Never']);
});
