import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFmtV, goMarshal, parseGoJSON, parseGoJSONObject } from './gojson.js';

test('parseGoJSON reports encoding/json syntax errors verbatim', () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['{"a":1', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{x', "invalid character 'x' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['{"a":1}}', "invalid character '}' after top-level value"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul', 'unexpected end of JSON input'],
    ['fals3', "invalid character '3' in literal false (expecting 'e')"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['01', "invalid character '1' after top-level value"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ];
  for (const [input, msg] of cases) {
    assert.throws(() => parseGoJSON(input), { message: msg }, JSON.stringify(input));
  }
});

test('parseGoJSON decodes valid JSON like JSON.parse', () => {
  for (const s of ['{"a":[1,2.5,-3e2,true,false,null,"x\\u00e9\\n"]}', ' [ ] ', '"s"', '0', '{"a":{"b":{}}}']) {
    assert.deepEqual(parseGoJSON(s), JSON.parse(s));
  }
  assert.deepEqual(parseGoJSON('{"a":1,"a":2}'), { a: 2 }, 'last duplicate wins');
});

test('parseGoJSONObject: type errors name the Go target type', () => {
  assert.equal(parseGoJSONObject('null'), null);
  assert.throws(() => parseGoJSONObject('[]'), { message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' });
  assert.throws(() => parseGoJSONObject('"x"'), { message: 'json: cannot unmarshal string into Go value of type map[string]interface {}' });
  assert.throws(() => parseGoJSONObject('3'), { message: 'json: cannot unmarshal number into Go value of type map[string]interface {}' });
});

test('goMarshal sorts keys and escapes like json.Marshal', () => {
  assert.equal(goMarshal({ b: 1, a: { d: [1, 'x'], c: null } }), '{"a":{"c":null,"d":[1,"x"]},"b":1}');
  assert.equal(goMarshal('<a&b>\u2028'), '"\\u003ca\\u0026b\\u003e\\u2028"');
  assert.equal(goMarshal('tab\tnl\n\u0001'), '"tab\\tnl\\n\\u0001"');
  assert.equal(goMarshal(1.5), '1.5');
});

test('goFmtV prints like fmt %v', () => {
  assert.equal(goFmtV({ name: 'a', image: 'nginx', port: 80 }), 'map[image:nginx name:a port:80]');
  assert.equal(goFmtV([1, 'a', null, true]), '[1 a <nil> true]');
  assert.equal(goFmtV(1.5), '1.5');
  assert.equal(goFmtV(2500000.5), '2.5000005e+06');
});
