import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJSON } from './gojson.js';

describe('goJSON', () => {
  const cases: { name: string; in: unknown; want: string }[] = [
    { name: 'sorted keys at every level', in: { b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }, want: '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}' },
    { name: 'html characters escaped', in: { s: '<a href="x">&</a>' }, want: '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}' },
    { name: 'control characters', in: '\n\t\r\b\f\u0001\u001f\\', want: '"\\n\\t\\r\\b\\f\\u0001\\u001f\\\\"' },
    { name: 'line separators', in: '\u2028\u2029', want: '"\\u2028\\u2029"' },
    { name: 'non-ASCII passes through', in: 'héllo ☃ 😀', want: '"héllo ☃ 😀"' },
    { name: 'lone surrogate becomes U+FFFD', in: 'a\ud800b', want: '"a\ufffdb"' },
    { name: 'numbers like float64', in: [30, 1.5, -0.25, 1e21, 1e-7, 0], want: '[30,1.5,-0.25,1e+21,1e-07,0]' },
    { name: 'undefined members dropped', in: { a: undefined, b: true }, want: '{"b":true}' },
    { name: 'keys sorted by UTF-8 bytes', in: { '\uffff': 1, '\u{1F600}': 2, z: 3 }, want: '{"z":3,"\uffff":1,"\u{1F600}":2}' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(goJSON(c.in), c.want));
});
