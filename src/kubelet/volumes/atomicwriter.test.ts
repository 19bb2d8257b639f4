import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AtomicWriter, validatePath, type Payload } from './atomicwriter.js';
import { tempDir } from './testutil.js';

const payload = (o: Record<string, string | [string, number]>): Payload =>
  new Map(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));

function tsDirs(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./.test(n));
}

describe('AtomicWriter', () => {
  it('writes the kubelet layout: timestamped dir, ..data link, per-key links', async (t) => {
    const dir = tempDir(t);
    const w = new AtomicWriter(dir, () => new Date(Date.UTC(2025, 1, 3, 4, 5, 6)));
    assert.equal(await w.write(payload({ MODE: 'fast', 'conf/app.yaml': 'a: 1', secret: ['s', 0o600] })), true);
    const ts = tsDirs(dir);
    assert.equal(ts.length, 1);
    assert.match(ts[0], /^\.\.2025_02_03_04_05_06\.\d{1,10}$/, 'Go MkdirTemp suffix: a decimal number');
    assert.equal(readlinkSync(join(dir, '..data')), ts[0]);
    assert.equal(readlinkSync(join(dir, 'MODE')), '..data/MODE');
    assert.equal(readlinkSync(join(dir, 'conf')), '..data/conf');
    assert.equal(readFileSync(join(dir, 'MODE'), 'utf8'), 'fast');
    assert.equal(readFileSync(join(dir, 'conf/app.yaml'), 'utf8'), 'a: 1');
    assert.equal(statSync(join(dir, 'secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'MODE')).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, ts[0])).mode & 0o777, 0o755);
  });

  it('an unchanged payload writes nothing; a change swaps ..data and removes the old version', async (t) => {
    const dir = tempDir(t);
    const w = new AtomicWriter(dir);
    await w.write(payload({ A: '1', B: '2' }));
    const first = tsDirs(dir)[0];
    assert.equal(await w.write(payload({ A: '1', B: '2' })), false);
    assert.deepEqual(tsDirs(dir), [first]);
    assert.equal(await w.write(payload({ A: '1', B: 'two' })), true);
    const after = tsDirs(dir);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], first);
    assert.equal(readFileSync(join(dir, 'B'), 'utf8'), 'two');
    assert.equal(existsSync(join(dir, '..data_tmp')), false);
  });

  it('keys that went away lose their links; nested directories that stay are kept', async (t) => {
    const dir = tempDir(t);
    const w = new AtomicWriter(dir);
    await w.write(payload({ A: '1', 'd/x': 'x', 'd/y': 'y', gone: 'g' }));
    assert.equal(await w.write(payload({ A: '1', 'd/x': 'x' })), true);
    assert.equal(existsSync(join(dir, 'gone')), false);
    assert.equal(lstatSync(join(dir, 'd')).isSymbolicLink(), true);
    assert.equal(existsSync(join(dir, 'd/y')), false);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')).sort(), ['A', 'd']);
  });

  it('recreates missing user-visible links even when the data is current', async (t) => {
    const dir = tempDir(t);
    const w = new AtomicWriter(dir);
    await w.write(payload({ A: '1' }));
    rmSync(join(dir, 'A'));
    assert.equal(await w.write(payload({ A: '1' })), false);
    assert.equal(readFileSync(join(dir, 'A'), 'utf8'), '1');
  });

  it('an empty payload still publishes an (empty) version', async (t) => {
    const dir = tempDir(t);
    await new AtomicWriter(dir).write(new Map());
    assert.equal(readdirSync(join(dir, '..data')).length, 0);
  });

  it('setPerms runs on the new version before it is visible', async (t) => {
    const dir = tempDir(t);
    let seen = '';
    await new AtomicWriter(dir).write(payload({ A: '1' }), async (name) => {
      seen = name;
      assert.equal(existsSync(join(dir, '..data')), false);
      assert.equal(readFileSync(join(dir, name, 'A'), 'utf8'), '1');
    });
    assert.equal(readlinkSync(join(dir, '..data')), seen);
  });

  it('a failing setPerms leaves the previous version in place', async (t) => {
    const dir = tempDir(t);
    const w = new AtomicWriter(dir);
    await w.write(payload({ A: '1' }));
    await assert.rejects(w.write(payload({ A: '2' }), async () => { throw new Error('nope'); }), /nope/);
    assert.equal(readFileSync(join(dir, 'A'), 'utf8'), '1');
    assert.equal(tsDirs(dir).length, 1);
  });

  it('refuses bad paths with upstream\'s messages', async (t) => {
    assert.throws(() => validatePath(''), { message: 'invalid path: must not be empty: ""' });
    assert.throws(() => validatePath('/etc/x'), { message: 'invalid path: must be relative path: /etc/x' });
    assert.throws(() => validatePath('a/../b'), { message: "invalid path: must not contain '..': a/../b" });
    assert.throws(() => validatePath('..data/x'), { message: "invalid path: must not start with '..': ..data/x" });
    assert.throws(() => validatePath('x'.repeat(256)), { message: 'invalid path: filenames must be less than or equal to 255 characters' });
    validatePath('a..b/c');
    const dir = tempDir(t);
    await assert.rejects(new AtomicWriter(dir).write(payload({ '../escape': 'x' })), /must not contain/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
