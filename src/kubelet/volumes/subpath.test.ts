import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareSubPath, validateSubPath } from './subpath.js';
import { tempDir } from './testutil.js';

describe('subPath', () => {
  it('an existing file or directory inside the volume', (t) => {
    const vol = tempDir(t);
    writeFileSync(join(vol, 'f'), 'x');
    mkdirSync(join(vol, 'd'));
    assert.equal(prepareSubPath(vol, 'f', 'm', 'c'), join(realpathSync(vol), 'f'));
    assert.equal(prepareSubPath(vol, 'd/', 'm', 'c'), join(realpathSync(vol), 'd'));
  });

  it('a missing path is made with the volume root\'s mode', (t) => {
    const vol = tempDir(t);
    chmodSync(vol, 0o777);
    const p = prepareSubPath(vol, 'logs/web-0', 'm', 'c');
    assert.equal(p, join(realpathSync(vol), 'logs/web-0'));
    assert.equal(statSync(p).mode & 0o777, 0o777);
    assert.equal(statSync(join(vol, 'logs')).mode & 0o777, 0o777);
  });

  it('a symlink is resolved (pinning a configMap key to its current version)', (t) => {
    const vol = tempDir(t);
    mkdirSync(join(vol, '..2025_v1'));
    writeFileSync(join(vol, '..2025_v1/key'), 'v1');
    symlinkSync('..2025_v1', join(vol, '..data'));
    symlinkSync('..data/key', join(vol, 'key'));
    assert.equal(prepareSubPath(vol, 'key', 'm', 'c'), join(realpathSync(vol), '..2025_v1/key'));
  });

  it('links out of the volume are refused', (t) => {
    const vol = tempDir(t);
    const outside = tempDir(t);
    symlinkSync(outside, join(vol, 'escape'));
    assert.throws(() => prepareSubPath(vol, 'escape', 'm', 'c'), { message: 'failed to prepare subPath for volumeMount "m" of container "c"' });
    assert.throws(() => prepareSubPath(vol, 'escape/new', 'm', 'c'), { message: 'failed to create subPath directory for volumeMount "m" of container "c"' });
  });

  it('absolute paths and backsteps are refused first', () => {
    assert.throws(() => validateSubPath('/etc'), { message: 'error SubPath `/etc` must not be an absolute path' });
    assert.throws(() => validateSubPath('a/../../b'), { message: "unable to provision SubPath `a/../../b`: must not contain '..'" });
    validateSubPath('a..b/c');
  });
});
