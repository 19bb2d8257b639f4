import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonTooDeep, MAX_JSON_DEPTH } from './yamlguard.js';

test('JSON nesting is measured outside strings, up to the limit', () => {
  const nest = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  assert.equal(jsonTooDeep(nest(MAX_JSON_DEPTH)), false);
  assert.equal(jsonTooDeep(nest(MAX_JSON_DEPTH + 1)), true);
  assert.equal(jsonTooDeep('['.repeat(MAX_JSON_DEPTH + 1)), true, 'unterminated bodies too');
  // brackets inside strings (escaped quotes included) do not count
  assert.equal(jsonTooDeep(JSON.stringify({ s: '['.repeat(5000) + '"\\"{'.repeat(100) })), false);
  assert.equal(jsonTooDeep('{"kind":"ConfigMap","data":{"a":"b"}}'), false);
});
