import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRuntimeInstall, type Facts } from './install.js';

const base: Facts = { platform: 'linux', uid: 0, hasApt: true, missing: [], optionalMissing: [] };
const containerd = { what: 'containerd', pkg: 'containerd' };
const ctr = { what: 'ctr', pkg: 'containerd' };
const busybox = { what: 'a static busybox', pkg: 'busybox-static' };
const catatonit = { what: 'catatonit (pause process)', pkg: 'catatonit' };

test('nothing missing: ready, without apt', () => {
  assert.deepEqual(planRuntimeInstall(base), { action: 'ready' });
  assert.deepEqual(planRuntimeInstall({ ...base, hasApt: false, optionalMissing: [catatonit] }), { action: 'ready' });
});

test('root on Debian/Ubuntu installs the missing packages once each, plus the optional ones', () => {
  assert.deepEqual(planRuntimeInstall({ ...base, missing: [containerd, ctr, busybox], optionalMissing: [catatonit] }),
    { action: 'install', packages: ['containerd', 'busybox-static'], optional: ['catatonit'] });
  assert.deepEqual(planRuntimeInstall({ ...base, optionalMissing: [catatonit] }), { action: 'install', packages: [], optional: ['catatonit'] });
});

test('not root: unavailable, saying so and what else is missing', () => {
  const p = planRuntimeInstall({ ...base, uid: 1000, missing: [containerd] });
  assert.equal(p.action, 'unavailable');
  assert.match((p as { reason: string }).reason, /need root .* uid 1000.*also missing: containerd.*apt-get install containerd/);
  const q = planRuntimeInstall({ ...base, uid: 1000 });
  assert.doesNotMatch((q as { reason: string }).reason, /missing/);
});

test('missing without apt-get, or not Linux: unavailable with the reason', () => {
  const p = planRuntimeInstall({ ...base, hasApt: false, missing: [containerd, busybox] });
  assert.equal(p.action, 'unavailable');
  assert.match((p as { reason: string }).reason, /missing containerd, a static busybox, and this system has no apt-get/);
  const d = planRuntimeInstall({ ...base, platform: 'darwin' });
  assert.match((d as { reason: string }).reason, /need Linux.*darwin/);
});
