import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTar, writeTar, TAR_MTIME } from './tar.js';

test('files, directories and symlinks round-trip with their modes, sizes and padding', () => {
  const data = Buffer.from('hello\n');
  const tar = writeTar([
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/hostname', data, mode: 0o600 },
    { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
    { type: 'dir', path: '/tmp/', mode: 0o1777 },
  ]);
  assert.equal(tar.length % 512, 0);
  // 4 headers + one data block + the two-block end marker
  assert.equal(tar.length, 512 * 7);
  const recs = readTar(tar);
  assert.deepEqual(recs.map((r) => [r.path, r.type, r.mode.toString(8), r.size, r.link]), [
    ['etc/', '5', '755', 0, ''],
    ['etc/hostname', '0', '600', 6, ''],
    ['bin/sh', '2', '777', 0, '/bin/busybox'],
    ['tmp/', '5', '1777', 0, ''],
  ]);
  assert.deepEqual(recs[1].data, data);
});

test('headers are ustar, owned by root, with the fixed mtime and a valid checksum', () => {
  const tar = writeTar([{ type: 'file', path: 'a', data: Buffer.from('x') }]);
  const h = tar.subarray(0, 512);
  assert.equal(h.subarray(257, 263).toString('latin1'), 'ustar\0');
  assert.equal(h.subarray(263, 265).toString('latin1'), '00');
  assert.equal(h.subarray(265, 269).toString('latin1'), 'root');
  assert.equal(parseInt(h.subarray(136, 147).toString('latin1'), 8), TAR_MTIME);
  assert.equal(parseInt(h.subarray(108, 115).toString('latin1'), 8), 0);
  // A flipped byte is caught by the reader's checksum check.
  const bad = Buffer.from(tar);
  bad[0] ^= 1;
  assert.throws(() => readTar(bad), /checksum/);
});

test('long paths use the ustar prefix field, or a PAX header beyond it', () => {
  const mid = `${'d'.repeat(120)}/${'f'.repeat(90)}`; // fits prefix (155) + name (100)
  const long = `${'x'.repeat(200)}/${'y'.repeat(120)}`; // name part alone exceeds 100
  const longLink = `/${'t'.repeat(150)}`;
  const tar = writeTar([
    { type: 'file', path: mid, data: Buffer.from('1') },
    { type: 'file', path: long, data: Buffer.from('2') },
    { type: 'symlink', path: 'l', target: longLink },
  ]);
  const recs = readTar(tar);
  assert.deepEqual(recs.map((r) => r.path), [mid, long, 'l']);
  assert.equal(recs[2].link, longLink);
  assert.equal(tar.subarray(0, 100).toString('latin1').replace(/\0+$/, ''), 'f'.repeat(90), 'the name field holds the last component');
  assert.equal(tar.subarray(345, 345 + 155).toString('latin1').replace(/\0+$/, ''), 'd'.repeat(120), 'the prefix field holds the directories');
});

test('the same entries always give the same bytes', () => {
  const entries = [{ type: 'file' as const, path: 'bin/x', data: Buffer.from('abc'), mode: 0o755 }];
  assert.deepEqual(writeTar(entries), writeTar(entries));
});
