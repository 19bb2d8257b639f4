import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setVolumeOwnership } from './ownership.js';
import { tempDir } from './testutil.js';

// as root any group works; otherwise a group this user is in
const GID = process.getuid?.() === 0 ? 4321 : process.getgid!();

function tree(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'sub'), { mode: 0o700 });
  writeFileSync(join(dir, 'sub/f'), 'x', { mode: 0o600 });
  chmodSync(join(dir, 'sub/f'), 0o600);
  chmodSync(join(dir, 'sub'), 0o700);
  symlinkSync('sub/f', join(dir, 'link'));
  return dir;
}

describe('setVolumeOwnership', () => {
  it('read-write: group on everything, g+rw files, g+rwx and setgid directories', async (t) => {
    const dir = tree(t);
    await setVolumeOwnership(dir, GID, false);
    assert.equal(statSync(dir).gid, GID);
    assert.equal(statSync(dir).mode & 0o7777, 0o2775);
    assert.equal(statSync(join(dir, 'sub')).mode & 0o7777, 0o2770);
    assert.equal(statSync(join(dir, 'sub/f')).mode & 0o7777, 0o660);
    assert.equal(statSync(join(dir, 'sub/f')).gid, GID);
    assert.equal(lstatSync(join(dir, 'link')).gid, GID, 'links get the group');
  });

  it('read-only volumes: g+r only (a symlink\'s target is not chmodded through it)', async (t) => {
    const dir = tree(t);
    await setVolumeOwnership(dir, GID, true);
    assert.equal(statSync(join(dir, 'sub/f')).mode & 0o7777, 0o640);
    assert.equal(statSync(join(dir, 'sub')).mode & 0o7777, 0o2750);
  });

  it('no fsGroup: nothing changes', async (t) => {
    const dir = tree(t);
    await setVolumeOwnership(dir, undefined, false);
    assert.equal(statSync(join(dir, 'sub/f')).mode & 0o7777, 0o600);
  });

  it('OnRootMismatch skips the walk when the root already fits', async (t) => {
    const dir = tree(t);
    await setVolumeOwnership(dir, GID, false);
    chmodSync(join(dir, 'sub/f'), 0o600);
    await setVolumeOwnership(dir, GID, false, 'OnRootMismatch');
    assert.equal(statSync(join(dir, 'sub/f')).mode & 0o7777, 0o600, 'skipped');
    chmodSync(dir, 0o755); // root lost setgid: walk again
    await setVolumeOwnership(dir, GID, false, 'OnRootMismatch');
    assert.equal(statSync(join(dir, 'sub/f')).mode & 0o7777, 0o660);
  });
});
