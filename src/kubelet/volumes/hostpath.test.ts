import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkHostPathType } from './hostpath.js';
import { tempDir } from './testutil.js';

describe('checkHostPathType', () => {
  it('"" (unset) checks nothing, even for a missing path', async (t) => {
    await checkHostPathType(join(tempDir(t), 'missing'), undefined);
    await checkHostPathType(join(tempDir(t), 'missing'), '');
  });

  it('DirectoryOrCreate makes a 0755 directory with its parents, then accepts it', async (t) => {
    const p = join(tempDir(t), 'a/b/c');
    await checkHostPathType(p, 'DirectoryOrCreate');
    assert.equal(statSync(p).mode & 0o777, 0o755);
    await checkHostPathType(p, 'DirectoryOrCreate');
  });

  it('DirectoryOrCreate with the local-path mode makes 0777, past the umask', async (t) => {
    const p = join(tempDir(t), 'pvc');
    await checkHostPathType(p, 'DirectoryOrCreate', 0o777);
    assert.equal(statSync(p).mode & 0o777, 0o777);
  });

  it('Directory / DirectoryOrCreate on a file fail with upstream\'s message', async (t) => {
    const f = join(tempDir(t), 'f');
    writeFileSync(f, 'x');
    await assert.rejects(checkHostPathType(f, 'Directory'), { message: `hostPath type check failed: ${f} is not a directory` });
    await assert.rejects(checkHostPathType(f, 'DirectoryOrCreate'), { message: `hostPath type check failed: ${f} is not a directory` });
    await assert.rejects(checkHostPathType(join(f, 'missing'), 'Directory'), { message: `hostPath type check failed: ${f}/missing is not a directory` });
  });

  it('FileOrCreate makes a 0644 file but never its parent', async (t) => {
    const dir = tempDir(t);
    await checkHostPathType(join(dir, 'f'), 'FileOrCreate');
    assert.equal(statSync(join(dir, 'f')).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'f')).size, 0);
    await checkHostPathType(join(dir, 'f'), 'File');
    await assert.rejects(checkHostPathType(join(dir, 'no/f'), 'FileOrCreate'), { message: `open ${dir}/no/f: no such file or directory` });
    assert.deepEqual(readdirSync(dir), ['f']);
    mkdirSync(join(dir, 'd'));
    await assert.rejects(checkHostPathType(join(dir, 'd'), 'FileOrCreate'), { message: `hostPath type check failed: ${dir}/d is not a file` });
    await assert.rejects(checkHostPathType(join(dir, 'missing'), 'File'), { message: `hostPath type check failed: ${dir}/missing is not a file` });
  });

  it('Socket', async (t) => {
    const dir = tempDir(t);
    const sock = join(dir, 's.sock');
    const srv = createServer();
    await new Promise<void>((res) => srv.listen(sock, res));
    try {
      await checkHostPathType(sock, 'Socket');
      await assert.rejects(checkHostPathType(dir, 'Socket'), { message: `hostPath type check failed: ${dir} is not a socket file` });
    } finally {
      await new Promise((res) => srv.close(res));
    }
  });

  it('CharDevice and BlockDevice', async () => {
    await checkHostPathType('/dev/null', 'CharDevice');
    await assert.rejects(checkHostPathType('/dev', 'CharDevice'), { message: 'hostPath type check failed: /dev is not a character device' });
    await assert.rejects(checkHostPathType('/dev/null', 'BlockDevice'), { message: 'hostPath type check failed: /dev/null is not a block device' });
    const block = readdirSync('/dev').map((n) => `/dev/${n}`).find((p) => { try { return statSync(p).isBlockDevice(); } catch { return false; } });
    if (block) await checkHostPathType(block, 'BlockDevice');
  });

  it('an unknown type', async (t) => {
    await assert.rejects(checkHostPathType(tempDir(t), 'Weird'), { message: 'Weird is an invalid volume type' });
  });
});
