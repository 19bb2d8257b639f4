import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import {
  formatLabels, formatLabelSelector, fromLabelSelectorObject, labelMatcher, LabelSelector,
  newRequirement, parseLabelSelector, selectorFromSet,
} from './labels.js';

const KEY_RE_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function parseError(s: string): ApiError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError for ${JSON.stringify(s)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e;
  }
  assert.fail(`expected ${JSON.stringify(s)} to fail`);
}

test('valid selectors parse and print canonically (sorted keys, sorted set values)', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['   ', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['z=c,x=a', 'x=a,z=c'],
    ['x==a', 'x==a'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x', 'x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x in (c,a,b)', 'x in (a,b,c)'],
    ['x in (a,a)', 'x in (a)'],
    ['x notin ()', 'x notin ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (a,)', 'x in (,a)'],
    ['x in (a,,b)', 'x in (,a,b)'],
    ['in in (in)', 'in in (in)'],
    ['env in (dev,prod),tier!=db', 'env in (dev,prod),tier!=db'],
    ['example.com/app=web', 'example.com/app=web'],
    ['  x  =  a  ', 'x=a'],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseLabelSelector(input).toString(), want, `parse ${JSON.stringify(input)}`);
  }
});

test('parse errors carry upstream messages', () => {
  const cases: [string, string][] = [
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>1.1', `unable to parse requirement: values[0]: Invalid value: "1.1": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x>', `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_RE_MSG}`],
    ['-a', `unable to parse requirement: <nil>: Invalid value: "-a": ${KEY_RE_MSG}`],
    ['a/b/c=d', `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ['/a=b', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [`x=${'v'.repeat(64)}`, `unable to parse requirement: values[0][x]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseError(input).message, want, `parse ${JSON.stringify(input)}`);
  }
});

test('key longer than 63 characters and bad prefix collect every problem', () => {
  const e = parseError(`Bad_Prefix/${'k'.repeat(64)}`);
  assert.match(e.message, /^unable to parse requirement: <nil>: Invalid value: "Bad_Prefix\/k+": prefix part a lowercase RFC 1123 subdomain .*; name part must be no more than 63 characters$/);
});

test('matching follows upstream semantics', () => {
  const L = { env: 'prod', tier: 'web', n: '10', neg: '-3', bad: 'x' };
  const cases: [string, boolean][] = [
    ['', true],
    ['env=prod', true],
    ['env==prod', true],
    ['env=dev', false],
    ['env!=dev', true],
    ['missing!=x', true],
    ['env in (dev,prod)', true],
    ['env in (dev)', false],
    ['missing in (a)', false],
    ['env notin (dev)', true],
    ['env notin (prod)', false],
    ['missing notin (a)', true],
    ['env', true],
    ['missing', false],
    ['!missing', true],
    ['!env', false],
    ['n>9', true],
    ['n>10', false],
    ['n<11', true],
    ['neg<0', true],
    ['bad>1', false],
    ['missing>1', false],
    ['env=prod,tier=web', true],
    ['env=prod,tier=db', false],
    ['env=,x=', false],
  ];
  for (const [sel, want] of cases) {
    assert.equal(parseLabelSelector(sel).matches(L), want, `${sel} vs ${JSON.stringify(L)}`);
  }
  assert.equal(parseLabelSelector('a').matches(undefined), false);
  assert.equal(parseLabelSelector('!a').matches(undefined), true);
  assert.equal(parseLabelSelector('empty=').matches({ empty: '' }), true);
});

test('metav1.LabelSelector conversion: null matches nothing, empty everything', () => {
  const nothing = fromLabelSelectorObject(null);
  assert.equal(nothing.matchesNothing(), true);
  assert.equal(nothing.matches({}), false);
  assert.equal(nothing.isEmpty(), false);
  assert.equal(nothing.toString(), '');
  assert.equal(fromLabelSelectorObject(undefined).matches({ a: 'b' }), false);

  const all = fromLabelSelectorObject({});
  assert.equal(all.isEmpty(), true);
  assert.equal(all.matches(undefined), true);
  assert.equal(fromLabelSelectorObject({ matchLabels: {}, matchExpressions: [] }).matches({ x: 'y' }), true);

  const sel = fromLabelSelectorObject({
    matchLabels: { app: 'web', tier: 'fe' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'Exists' },
      { key: 'arch', operator: 'NotIn', values: ['arm'] },
    ],
  });
  assert.equal(sel.toString(), 'app=web,arch notin (arm),!canary,env in (dev,prod),tier=fe,zone');
  assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'prod', zone: 'a' }), true);
  assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'prod', zone: 'a', canary: '1' }), false);
  assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'prod', zone: 'a', arch: 'arm' }), false);
  assert.equal(sel.requiresExactMatch('app'), 'web');
  assert.equal(sel.requiresExactMatch('zone'), undefined);
});

test('metav1.LabelSelector conversion errors', () => {
  assert.throws(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === '"Foo" is not a valid label selector operator');
  assert.throws(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    { message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty" });
  assert.throws(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    { message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist' });
  assert.throws(() => fromLabelSelectorObject({ matchLabels: { 'bad key': 'v' } }),
    { message: `key: Invalid value: "bad key": ${KEY_RE_MSG}` });
  assert.throws(() => newRequirement('-k', 'in', []), {
    message: `[key: Invalid value: "-k": ${KEY_RE_MSG}, values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]`,
  });
});

test('formatting helpers used by printers', () => {
  assert.equal(formatLabelSelector(null), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'x' } }), 'app=x');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(selectorFromSet({ z: '1', a: '2' }).toString(), 'a=2,z=1');
  assert.equal(selectorFromSet(null).isEmpty(), true);
});

test('labelMatcher filters objects by metadata.labels', () => {
  const m = labelMatcher('tier=db');
  assert.equal(m({ metadata: { labels: { tier: 'db' } } }), true);
  assert.equal(m({ metadata: {} }), false);
  assert.equal(labelMatcher('')({}), true);
  assert.equal(LabelSelector.everything().add(newRequirement('a', 'exists', [])).toString(), 'a');
});
