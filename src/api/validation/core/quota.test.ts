import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../errors.js';
import type { Obj } from '../../types.js';
import { validateCreate, validateUpdate } from '../index.js';

const rq = (spec: Obj): Obj => ({ metadata: { name: 'q', namespace: 'default' }, spec });
const create = (spec: Obj): string => {
  const errs = validateCreate('', 'v1', 'ResourceQuota', rq(spec));
  return errs.length ? invalid('', 'ResourceQuota', 'q', errs).message : '';
};

test('scopes must fit every hard limit', () => {
  assert.equal(create({ hard: { services: '1' }, scopes: ['BestEffort'] }),
    'ResourceQuota "q" is invalid: spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource');
  assert.equal(create({ hard: { pods: '5' }, scopes: ['BestEffort'] }), '');
  assert.match(create({ hard: { cpu: '1' }, scopes: ['BestEffort'] }), /unsupported scope applied to resource/);
  assert.equal(create({ hard: { cpu: '1', 'limits.memory': '1Gi', pods: '2' }, scopes: ['NotBestEffort', 'Terminating'] }), '');
  assert.match(create({ hard: { configmaps: '1' }, scopes: ['PriorityClass'] }), /unsupported scope applied to resource/);
  // object counts and extended names are not checked against scopes
  assert.equal(create({ hard: { 'count/deployments.apps': '1', 'example.com/foo': '1' }, scopes: ['Terminating'] }), '');
});

test('unknown and conflicting scopes', () => {
  assert.match(create({ hard: { pods: '1' }, scopes: ['Bogus'] }), /spec\.scopes: Invalid value: \[\]core\.ResourceQuotaScope\{"Bogus"\}: unsupported scope/);
  assert.match(create({ hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }), /spec\.scopes: Invalid value: .*: conflicting scopes/);
  assert.match(create({ hard: { pods: '1' }, scopes: ['Terminating', 'NotTerminating'] }), /conflicting scopes/);
});

test('scope selectors', () => {
  const sel = (...m: Obj[]) => ({ matchExpressions: m });
  assert.equal(create({ hard: { pods: '1' }, scopeSelector: sel({ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }) }), '');
  assert.match(create({ hard: { services: '1' }, scopeSelector: sel({ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }) }),
    /spec\.scopeSelector\.matchExpressions: Invalid value: .*unsupported scope applied to resource/);
  assert.match(create({ hard: { pods: '1' }, scopeSelector: sel({ scopeName: 'BestEffort', operator: 'In', values: ['x'] }) }),
    /spec\.scopeSelector\.matchExpressions\.operator: Invalid value: "In": must be 'Exist' when scope is any of/);
  assert.match(create({ hard: { pods: '1' }, scopeSelector: sel({ scopeName: 'Terminating', operator: 'Exists' }, { scopeName: 'NotTerminating', operator: 'Exists' }) }),
    /spec\.scopeSelector\.matchExpressions: Invalid value: .*conflicting scopes/);
  assert.match(create({ hard: { pods: '1' }, scopeSelector: sel({ scopeName: 'Nope', operator: 'Exists' }) }),
    /spec\.scopeSelector\.matchExpressions\.scopeName: Invalid value: "Nope": unsupported scope/);
});

test('scopes are immutable on update', () => {
  const old = { ...rq({ hard: { pods: '1' }, scopes: ['BestEffort'] }), metadata: { name: 'q', namespace: 'default', resourceVersion: '1' } };
  const next = { ...rq({ hard: { pods: '1' }, scopes: ['NotBestEffort'] }), metadata: { name: 'q', namespace: 'default', resourceVersion: '1' } };
  const errs = validateUpdate('', 'v1', 'ResourceQuota', next, old);
  assert.match(invalid('', 'ResourceQuota', 'q', errs).message, /spec\.scopes: Invalid value: .*field is immutable/);
});
