import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/errors.js';
import { checkYamlDepth } from './yamlguard.js';

test('deeply nested YAML is refused before parsing, ordinary documents pass', () => {
  assert.throws(() => checkYamlDepth('['.repeat(100_000)), (e: ApiError) => e.code === 400 && /exceeded max depth/.test(e.message));
  assert.throws(() => checkYamlDepth('{"a":'.repeat(50_000)), (e: ApiError) => e.code === 400);
  checkYamlDepth('apiVersion: v1\nkind: ConfigMap\ndata: {a: "[[[[[", b: \'{{{{\'}\nlist: [[1, 2], [3]]\n');
});
