import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expand, expandCommand, expandSubPathExpr, mappingFuncFor } from './expansion.js';

describe('expand', () => {
  const mapping = mappingFuncFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_EMPTY', '']]), new Map([['SVC', 's'], ['VAR_A', 'shadowed']]));
  const cases: [string, string][] = [
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_A)', 'A-A'],
    ['$(VAR_A)$(VAR_B)$(VAR_C)', 'ABC'],
    ['$(SVC)', 's'],
    ['$(VAR_EMPTY)', ''],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$()', '$()'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$', '$$'],
    ['f000-$$VAR_A', 'f000-$VAR_A'],
    ['foo\\$(VAR_C)bar', 'foo\\Cbar'],
    ['$(VAR_A', '$(VAR_A'],
    ['$VAR_A', '$VAR_A'],
    ['$', '$'],
    ['$(VAR_A)$', 'A$'],
    ['$(VAR_A))', 'A)'],
    ['$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
    ['no refs', 'no refs'],
    ['', ''],
    ['ü$(VAR_A)ü$ü', 'üAü$ü'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(expand(input, mapping), want));
  }
});

describe('expandCommand', () => {
  it('expands command and args with the container environment', () => {
    const env = [{ name: 'GREETING', value: 'hi' }, { name: 'WHO', value: 'you' }];
    const got = expandCommand({ command: ['sh', '-c', 'echo $(GREETING) $$(WHO)'], args: ['$(WHO)', '$(NOPE)'] }, env);
    assert.deepEqual(got, { command: ['sh', '-c', 'echo hi $(WHO)'], args: ['you', '$(NOPE)'] });
  });
  it('gives empty lists when neither is set', () => {
    assert.deepEqual(expandCommand({}, []), { command: [], args: [] });
  });
});

describe('expandSubPathExpr', () => {
  const env = [{ name: 'POD_NAME', value: 'web-0' }, { name: 'EMPTY', value: '' }];
  it('expands', () => assert.equal(expandSubPathExpr('logs/$(POD_NAME)', env), 'logs/web-0'));
  it('names every missing or empty variable, sorted', () => {
    assert.throws(() => expandSubPathExpr('$(Z)/$(EMPTY)/$(POD_NAME)', env), { message: 'missing value for EMPTY, Z' });
  });
});
