import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerKeyring, keyringKey, repositoryOf, urlsMatch, type RegistryAuth } from './keyring.js';

const cred = (u: string): RegistryAuth => ({ username: u, password: `${u}-pw` });
const ring = (entries: [string, RegistryAuth][]): DockerKeyring => {
  const r = new DockerKeyring();
  r.add(new Map(entries));
  return r;
};
const users = (r: DockerKeyring, image: string): string[] => r.lookup(image).map((a) => a.username);

test('image references normalize to the repository the keyring matches', () => {
  assert.equal(repositoryOf('busybox'), 'docker.io/library/busybox');
  assert.equal(repositoryOf('busybox:1.36'), 'docker.io/library/busybox');
  assert.equal(repositoryOf('user/app@sha256:abc'), 'docker.io/user/app');
  assert.equal(repositoryOf('docker.io/nginx'), 'docker.io/library/nginx');
  assert.equal(repositoryOf('index.docker.io/user/app:v1'), 'docker.io/user/app');
  assert.equal(repositoryOf('127.0.0.1:5000/library/busybox:1.0'), '127.0.0.1:5000/library/busybox');
  assert.equal(repositoryOf('localhost/app'), 'localhost/app');
  assert.equal(repositoryOf('gcr.io/proj/img:tag@sha256:00'), 'gcr.io/proj/img');
});

test('docker config locations become schemeless keys; /v1/ and /v2/ mean the host', () => {
  assert.equal(keyringKey('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(keyringKey('http://registry.example.com:5000/v2/'), 'registry.example.com:5000');
  assert.equal(keyringKey('quay.io/team'), 'quay.io/team');
  assert.equal(keyringKey('https://quay.io/v1/team'), 'quay.io/team');
  assert.equal(keyringKey('127.0.0.1:5100'), '127.0.0.1:5100');
  assert.equal(keyringKey('*.example.com'), '*.example.com');
  assert.equal(keyringKey(''), undefined);
});

test('matching: ports equal, as many host parts, globs per part, the key path a prefix', () => {
  assert.equal(urlsMatch('127.0.0.1:5100', '127.0.0.1:5100/library/busybox'), true);
  assert.equal(urlsMatch('127.0.0.1:5100', '127.0.0.1:5101/library/busybox'), false);
  assert.equal(urlsMatch('127.0.0.1', '127.0.0.1:5100/library/busybox'), false, 'a key without a port does not cover one with a port');
  assert.equal(urlsMatch('*.example.com', 'reg.example.com/app'), true);
  assert.equal(urlsMatch('*.example.com', 'example.com/app'), false, 'the wildcard is one host part');
  assert.equal(urlsMatch('*.example.com', 'a.b.example.com/app'), false);
  assert.equal(urlsMatch('reg-[0-3].example.com', 'reg-1.example.com/app'), true);
  assert.equal(urlsMatch('reg-[0-3].example.com', 'reg-7.example.com/app'), false);
  assert.equal(urlsMatch('quay.io/team', 'quay.io/team/app'), true);
  assert.equal(urlsMatch('quay.io/team', 'quay.io/other/app'), false);
  assert.equal(urlsMatch('r*', 'registry/x'), true);
});

test('lookup: most specific key first, then shorter ones; every credential of a key, in order', () => {
  const r = new DockerKeyring();
  r.add(new Map([['quay.io', cred('root')], ['quay.io/team', cred('team')]]));
  r.add(new Map([['quay.io/team', cred('team2')], ['https://quay.io/v1/team/app', cred('app')]]));
  assert.deepEqual(users(r, 'quay.io/team/app:v1'), ['app', 'team', 'team2', 'root']);
  assert.deepEqual(users(r, 'quay.io/other/x'), ['root']);
  assert.deepEqual(users(r, 'gcr.io/x/y'), []);
});

test('Docker Hub images use the index.docker.io credentials; "docker.io" keys match directly', () => {
  const hub = ring([['https://index.docker.io/v1/', cred('hub')]]);
  for (const img of ['busybox', 'user/app:v1', 'docker.io/library/nginx', 'index.docker.io/user/app']) assert.deepEqual(users(hub, img), ['hub'], img);
  assert.deepEqual(users(hub, 'quay.io/user/app'), []);
  assert.deepEqual(users(hub, '127.0.0.1:5100/library/busybox'), []);
  const short = ring([['docker.io', cred('short')]]);
  assert.deepEqual(users(short, 'busybox'), ['short']);
  const wild = ring([['*.io', cred('wild')], ['index.docker.io', cred('hub')]]);
  assert.deepEqual(users(wild, 'busybox'), ['wild'], 'a direct match wins over the Docker Hub fallback');
});
