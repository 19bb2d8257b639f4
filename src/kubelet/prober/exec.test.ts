import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.js';
import { EXEC_GRACE_MS, execProbe } from './exec.js';
import type { ProbeOutcome, ProbeRuntime } from './types.js';

type Exec = ProbeRuntime['execSync'];

function runtime(fn: Exec): ProbeRuntime & { calls: { id: string; cmd: string[]; timeout: number }[] } {
  const calls: { id: string; cmd: string[]; timeout: number }[] = [];
  return { calls, execSync: (id, cmd, timeout) => { calls.push({ id, cmd, timeout }); return fn(id, cmd, timeout); } };
}

const res = (exitCode: number, stdout = '', stderr = '') => async () => ({ exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) });

describe('execProbe', () => {
  const container = { name: 'c', env: [{ name: 'FILE', value: '/tmp/healthy' }] };
  const cases: { name: string; exec: Exec; want: Partial<ProbeOutcome> & { errorMessage?: string } }[] = [
    { name: 'exit 0 succeeds with its output', exec: res(0, 'ok\n'), want: { result: 'success', output: 'ok\n' } },
    {
      name: 'non-zero exit fails with stdout then stderr, untrimmed',
      exec: res(1, 'out;', "cat: can't open '/tmp/healthy': No such file or directory\n"),
      want: { result: 'failure', output: "out;cat: can't open '/tmp/healthy': No such file or directory\n" },
    },
    { name: 'output is cut at 10 KiB', exec: res(2, 'a'.repeat(8000), 'b'.repeat(8000)), want: { result: 'failure', output: 'a'.repeat(8000) + 'b'.repeat(2240) } },
    {
      name: 'a CRI deadline is a timeout failure',
      exec: async () => { throw Object.assign(new Error('CRI ExecSync: DEADLINE_EXCEEDED: timeout 1s exceeded'), { code: 4 }); },
      want: { result: 'failure', output: 'command "cat /tmp/healthy" timed out' },
    },
    {
      name: 'other runtime errors error the probe',
      exec: async () => { throw Object.assign(new Error('CRI ExecSync: NOT_FOUND: container not found'), { code: 5 }); },
      want: { result: 'unknown', output: '', errorMessage: 'CRI ExecSync: NOT_FOUND: container not found' },
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const rt = runtime(tc.exec);
      const clock = new FakeClock();
      const out = await execProbe(rt, 'cid', { command: ['cat', '$(FILE)'] }, container, 1, { clock, signal: new AbortController().signal });
      assert.equal(out.result, tc.want.result);
      assert.equal(out.output, tc.want.output);
      assert.equal(out.error?.message, tc.want.errorMessage);
      assert.deepEqual(rt.calls, [{ id: 'cid', cmd: ['cat', '/tmp/healthy'], timeout: 1 }]);
      assert.equal(clock.pending(), 0, 'the guard timer is cleared');
    });
  }

  it('a runtime that never answers times out past the CRI grace period', async () => {
    const clock = new FakeClock();
    const rt = runtime(() => new Promise(() => undefined));
    const p = execProbe(rt, 'cid', { command: ['sleep', '9'] }, { name: 'c' }, 3, { clock, signal: new AbortController().signal });
    clock.advance(3000 + EXEC_GRACE_MS - 1);
    let settled = false;
    void p.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    clock.advance(1);
    assert.deepEqual(await p, { result: 'failure', output: 'command "sleep 9" timed out' });
  });

  it('cancellation errors the probe instead of failing it', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = execProbe(runtime(() => new Promise(() => undefined)), 'cid', { command: ['true'] }, { name: 'c' }, 1, { clock, signal: ac.signal });
    ac.abort();
    const out = await p;
    assert.equal(out.result, 'unknown');
    assert.ok(out.error);
    assert.equal(clock.pending(), 0);
  });
});
