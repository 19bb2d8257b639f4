import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from './fuzz-gen.js';

test('the fuzz generator is deterministic per seed and covers methods, bodies and patch types', () => {
  const a = new Generator(42, 'ns'), b = new Generator(42, 'ns');
  const methods = new Set<string>(), types = new Set<string>();
  let bodies = 0, queries = 0;
  for (let i = 0; i < 2000; i++) {
    const x = a.next(), y = b.next();
    assert.deepEqual(x, y);
    methods.add(x.method);
    if (x.headers['content-type']) types.add(x.headers['content-type']);
    if (x.body !== undefined) bodies++;
    if (x.path.includes('?')) queries++;
    assert.ok(x.path.startsWith('/'), x.path);
  }
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.has(m), m);
  for (const t of ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']) {
    assert.ok(types.has(t), t);
  }
  assert.ok(bodies > 500 && queries > 500, `${bodies} bodies, ${queries} with queries`);
  assert.notDeepEqual(new Generator(1, 'ns').next(), new Generator(2, 'ns').next());
  assert.ok(new Generator(3, 'ns').seeds().length >= 10);
});
