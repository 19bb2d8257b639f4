import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandStatic } from './expand.js';
import { canonicalHeaderKey, newProbeRequest } from './http.js';
import { resolveContainerPort } from './port.js';
import { goDuration, joinHostPort } from './util.js';

describe('goDuration', () => {
  for (const [ms, want] of [[0, '0s'], [500, '500ms'], [1000, '1s'], [1500, '1.5s'], [60_000, '1m0s'], [90_000, '1m30s'], [3_600_000, '1h0m0s'], [3_723_000, '1h2m3s']] as const) {
    it(`${ms} ms → ${want}`, () => assert.equal(goDuration(ms), want));
  }
});

describe('joinHostPort', () => {
  it('brackets IPv6 literals only', () => {
    assert.equal(joinHostPort('10.42.0.5', 8080), '10.42.0.5:8080');
    assert.equal(joinHostPort('fd00::5', 80), '[fd00::5]:80');
    assert.equal(joinHostPort('', 80), ':80');
  });
});

describe('expandStatic', () => {
  const env = [{ name: 'A', value: 'x' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'C', value: '$(A)' }];
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['pre-$(A)-post', 'pre-x-post'],
    ['$(B)', ''], // valueFrom variables are not resolved for probes
    ['$(C)', '$(A)'], // no recursive expansion
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$(A', '$(A'],
    ['a$', 'a$'],
    ['$x', '$x'],
    ['$(A)$(A)', 'xx'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.deepEqual(expandStatic([input], env), [want]));
});

describe('resolveContainerPort', () => {
  const c = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'bad', containerPort: 0 }] };
  const ok: [unknown, number][] = [[80, 80], ['http', 8080], ['9090', 9090]];
  for (const [p, want] of ok) it(`${JSON.stringify(p)} → ${want}`, () => assert.equal(resolveContainerPort(p, c), want));
  const bad: [unknown, string][] = [
    ['nope', 'strconv.Atoi: parsing "nope": invalid syntax'],
    [0, 'invalid port number: 0'],
    [70000, 'invalid port number: 70000'],
    ['bad', 'invalid port number: 0'],
    [undefined, 'intOrString had no kind: undefined'],
  ];
  for (const [p, msg] of bad) it(`${JSON.stringify(p)} fails: ${msg}`, () => assert.throws(() => resolveContainerPort(p, c), { message: msg }));
});

describe('canonicalHeaderKey', () => {
  for (const [k, want] of [['x-custom-header', 'X-Custom-Header'], ['ACCEPT', 'Accept'], ['user-agent', 'User-Agent'], ['bad key', 'bad key']]) {
    it(`${k} → ${want}`, () => assert.equal(canonicalHeaderKey(k), want));
  }
});

describe('newProbeRequest', () => {
  const c = { name: 'c', ports: [{ name: 'web', containerPort: 8080 }] };
  const cases: { name: string; action: Record<string, unknown>; url: string; target: string; headers?: Record<string, string[]> }[] = [
    { name: 'defaults to the pod IP and http', action: { path: '/healthz', port: 8080 }, url: 'http://10.42.0.5:8080/healthz', target: '/healthz' },
    { name: 'named port, https, explicit host', action: { path: '/h', port: 'web', scheme: 'HTTPS', host: '127.0.0.1' }, url: 'https://127.0.0.1:8080/h', target: '/h' },
    { name: 'empty path', action: { port: 80 }, url: 'http://10.42.0.5:80', target: '/' },
    { name: 'path without slash, query kept', action: { path: 'x?a=1', port: 80 }, url: 'http://10.42.0.5:80/x?a=1', target: '/x?a=1' },
    { name: 'query only', action: { path: '?a=1', port: 80 }, url: 'http://10.42.0.5:80?a=1', target: '/?a=1' },
    { name: 'fragment not sent', action: { path: '/p#frag', port: 80 }, url: 'http://10.42.0.5:80/p#frag', target: '/p' },
    { name: 'spaces escaped', action: { path: '/a b', port: 80 }, url: 'http://10.42.0.5:80/a%20b', target: '/a%20b' },
    {
      name: 'headers canonicalised, defaults added',
      action: { port: 80, httpHeaders: [{ name: 'x-a', value: '1' }, { name: 'X-A', value: '2' }] },
      url: 'http://10.42.0.5:80', target: '/',
      headers: { 'X-A': ['1', '2'], 'User-Agent': ['kube-probe/1.32'], Accept: ['*/*'] },
    },
    {
      name: 'own User-Agent kept, empty Accept removed',
      action: { port: 80, httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] },
      url: 'http://10.42.0.5:80', target: '/',
      headers: { 'User-Agent': ['mine'] },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const r = newProbeRequest(tc.action, c, '10.42.0.5');
      assert.equal(r.url, tc.url);
      assert.equal(r.target, tc.target);
      if (tc.headers) assert.deepEqual(Object.fromEntries(r.headers), tc.headers);
    });
  }
});
