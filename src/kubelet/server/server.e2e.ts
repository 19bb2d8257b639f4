// The kubelet server end to end on this machine: skiff's containerd under a temp dir, a pod
// sandbox with two busybox containers, and the kubelet HTTPS server in front of them with a
// locator that knows that pod. Through the server, with the API server's client certificate:
// /containerLogs (plain, tail, timestamps, follow until the container stops), /exec over
// SPDY/3.1 to containerd's streaming server (stdin in, stdout/stderr out, exit code on the
// error stream) and /portForward over SPDY to a web server in the pod.
//
// Skips (saying why) only where containers cannot run at all, like cri.e2e.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createCA, issueCert } from '../../pki/index.js';
import { CriClient } from '../cri/client.js';
import type { PodSandboxConfig } from '../cri/types.js';
import { cgroupDirs, containersCanRun, tearDownRuntime, until } from '../runtime/e2e-support.js';
import { startRuntime, type ContainerdHandle } from '../runtime/index.js';
import { kubeletServingCert } from './cert.js';
import { startKubeletServer, type KubeletServer } from './server.js';
import { SpdySession } from './spdytest.js';
import type { ContainerLocator } from './types.js';

/** `p`, or a failure after `ms` (the timer is cleared either way: no handle outlives the test). */
async function within<T>(p: Promise<T>, ms: number, what: string, soft = false): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve, reject) => {
      timer = setTimeout(() => (soft ? resolve(undefined) : reject(new Error(`${what}: not within ${ms} ms`))), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

test('kubelet server: logs, exec and port-forward of a real busybox pod through containerd', { timeout: 600_000 }, async (t) => {
  if (!(await containersCanRun(t))) return;
  const log = (m: string) => t.diagnostic(m);

  const dataDir = mkdtempSync('/tmp/skiff-d1-e2e-');
  const subnet = `10.252.${Math.floor(Math.random() * 200) + 20}`;
  const bridge = 'skd1e2e0';
  const cgroupParent = `skiff-d1-e2e-${process.pid}`;
  const ac = new AbortController();
  let rt: ContainerdHandle | null = null;
  let cri: CriClient | null = null;
  let kubelet: KubeletServer | null = null;
  try {
    const started = await startRuntime({ dataDir, podCIDR: `${subnet}.0/24`, bridge, signal: ac.signal, log });
    assert.ok(started.ok, started.ok ? '' : started.reason);
    rt = started.containerd;
    cri = new CriClient(rt.socket);
    const c = cri;

    // ---- a pod: "app" prints to both streams then ticks; "web" serves a page on :8080
    const uid = randomUUID();
    const logDirectory = join(dataDir, 'logs', 'pods', `default_d1e2e_${uid}`);
    mkdirSync(join(logDirectory, 'app'), { recursive: true });
    mkdirSync(join(logDirectory, 'web'), { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'd1e2e', namespace: 'default', uid, attempt: 0 },
      hostname: 'd1e2e',
      logDirectory,
      labels: { 'io.kubernetes.pod.name': 'd1e2e', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
      linux: { cgroupParent: `/${cgroupParent}`, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    const { podSandboxId } = await c.runPodSandbox({ config: sandboxConfig });
    const container = (name: string, command: string[]) => ({
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name, attempt: 0 }, image: { image: 'busybox' }, command, logPath: `${name}/0.log`, labels: { 'io.kubernetes.container.name': name } },
    });
    const appId = (await c.createContainer(container('app', ['sh', '-c', 'echo hello; sleep 0.2; echo oops >&2; sleep 0.2; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done']))).containerId;
    await c.startContainer({ containerId: appId });
    const webId = (await c.createContainer(container('web', ['sh', '-c', 'mkdir -p /www && echo pf-ok > /www/index.html && exec httpd -f -p 8080 -h /www']))).containerId;
    await c.startContainer({ containerId: webId });

    // ---- the kubelet server, with a locator that knows this one pod
    const running = new Map([[appId, true], [webId, true]]);
    const ids: Record<string, string> = { app: appId, web: webId };
    const locator: ContainerLocator = {
      findContainer: (ns, pod, name, o) => {
        const id = ids[name];
        if (ns !== 'default' || pod !== 'd1e2e' || !id || o?.previous) return undefined;
        return { id, logPath: join(logDirectory, name, '0.log'), running: running.get(id) ?? false, podUID: uid };
      },
      findSandbox: (ns, pod) => (ns === 'default' && pod === 'd1e2e' ? { id: podSandboxId, podUID: uid } : undefined),
    };
    const ca = await createCA('d1-e2e-ca', 1);
    const serving = await kubeletServingCert(ca, 'd1-node', []);
    const client = await issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 1 });
    kubelet = await startKubeletServer({ port: 0, host: '127.0.0.1', tls: { cert: serving.cert, key: serving.key, ca: ca.cert }, locator, cri: c, signal: ac.signal, log });
    const tlsOpts: RequestOptions = { host: '127.0.0.1', port: kubelet.port, ca: ca.cert, cert: client.cert, key: client.key, servername: 'd1-node', agent: false };
    const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest({ ...tlsOpts, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

    // ---- logs
    // (stdout and stderr reach the file through separate pipes: the pauses keep their order certain)
    const all = await until('hello, oops and two ticks in the log', async () => {
      const r = await get('/containerLogs/default/d1e2e/app');
      if (r.status === 200 && /^hello\noops\ntick 0\ntick 1\n/.test(r.body)) return r.body;
      throw new Error(`last answer ${r.status} ${JSON.stringify(r.body.slice(0, 300))}`);
    });
    assert.match(all, /^hello\noops\n(tick \d+\n)+$/);
    const tail = await get('/containerLogs/default/d1e2e/app?tailLines=2');
    assert.match(tail.body, /^tick \d+\ntick \d+\n$/);
    const stamped = await get('/containerLogs/default/d1e2e/app?timestamps=true&limitBytes=200');
    assert.match(stamped.body, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(Z|[+-]\d{2}:\d{2}) hello\n/);
    assert.ok(stamped.body.length <= 200);
    const prev = await get('/containerLogs/default/d1e2e/app?previous=true');
    assert.deepEqual(prev, { status: 400, body: 'previous terminated container "app" in pod "d1e2e" not found' });

    // ---- exec over SPDY/3.1 (what kubectl ≤ 1.29 speaks, and what the API server speaks to kubelets)
    const exec = async (command: string[], stdin?: string) => {
      const q = new URLSearchParams();
      for (const a of command) q.append('command', a);
      q.set('output', '1');
      q.set('error', '1');
      if (stdin !== undefined) q.set('input', '1');
      const { socket, head, protocol } = await new Promise<{ socket: Socket; head: Buffer; protocol: string }>((resolve, reject) => {
        const req = httpsRequest({ ...tlsOpts, method: 'POST', path: `/exec/default/d1e2e/app?${q}`, headers: {
          Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'],
        } });
        req.on('upgrade', (res, s, h) => resolve({ socket: s, head: h, protocol: String(res.headers['x-stream-protocol-version']) }));
        req.on('response', (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => reject(new Error(`no upgrade: ${res.statusCode} ${b}`))); });
        req.on('error', reject);
        req.end();
      });
      assert.equal(protocol, 'v4.channel.k8s.io');
      const session = new SpdySession(socket, head);
      // client-go's order: error first, then stdin, stdout, stderr
      const error = session.open({ streamType: 'error' });
      const input = stdin !== undefined ? session.open({ streamType: 'stdin' }) : undefined;
      const stdout = session.open({ streamType: 'stdout' });
      const stderr = session.open({ streamType: 'stderr' });
      if (input) input.end(stdin);
      await within(error.done(), 30_000, 'the exec\'s status');
      await Promise.all([stdout.done(), stderr.done()].map((p) => within(p, 2000, 'output', true)));
      session.close();
      return { stdout: stdout.text(), stderr: stderr.text(), status: error.text() };
    };
    const hi = await exec(['sh', '-c', 'hostname; echo to-stderr >&2']);
    assert.equal(hi.stdout, 'd1e2e\n');
    assert.equal(hi.stderr, 'to-stderr\n');
    assert.deepEqual(JSON.parse(hi.status), { metadata: {}, status: 'Success' });
    const piped = await exec(['sh', '-c', 'cat; exit 7'], 'piped-in\n');
    assert.equal(piped.stdout, 'piped-in\n', 'stdin reached the process and its EOF ended cat');
    const st = JSON.parse(piped.status) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(st.status, 'Failure');
    assert.equal(st.reason, 'NonZeroExitCode');
    assert.deepEqual(st.details.causes, [{ reason: 'ExitCode', message: '7' }]);

    // ---- port-forward over SPDY to the pod's port 8080
    const portForward = async () => {
      const pf = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
        const req = httpsRequest({ ...tlsOpts, method: 'POST', path: '/portForward/default/d1e2e', headers: {
          Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io',
        } });
        req.on('upgrade', (_res, s, h) => resolve({ socket: s, head: h }));
        req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
        req.on('error', reject);
        req.end();
      });
      const session = new SpdySession(pf.socket, pf.head);
      const errStream = session.open({ streamType: 'error', port: '8080', requestID: '0' });
      const data = session.open({ streamType: 'data', port: '8080', requestID: '0' });
      data.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
      await within(data.done(), 10_000, 'the page', true);
      session.close();
      const text = data.text();
      if (!text.includes('pf-ok')) throw new Error(`got ${JSON.stringify(text)}; error stream ${JSON.stringify(errStream.text())}`);
      return text;
    };
    // httpd may take a moment to listen
    const page = await until('the page through port-forward', portForward, 15_000);
    assert.match(page, /^HTTP\/1\.[01] 200 OK\r\n/);

    // ---- follow: new ticks stream in; the stream ends once the container stops
    const followed: string[] = [];
    let stopAt = 0;
    const followEnd = new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ ...tlsOpts, path: '/containerLogs/default/d1e2e/app?follow=true&tailLines=0' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => followed.push(d));
        res.on('end', () => resolve(Date.now()));
      });
      req.on('error', reject);
      req.end();
    });
    await until('two ticks followed', async () => (followed.join('').split('\n').filter(Boolean).length >= 2 ? true : undefined), 10_000);
    assert.match(followed.join(''), /^(tick \d+\n)+$/);
    await c.stopContainer({ containerId: appId, timeout: 0 });
    stopAt = Date.now();
    running.set(appId, false);
    const ended = await within(followEnd, 10_000, 'the end of the follow after the container stopped');
    t.diagnostic(`follow ended ${(ended ?? 0) - stopAt} ms after the container stopped`);

    // teardown, as the kubelet would
    await c.stopContainer({ containerId: webId, timeout: 0 });
    for (const id of [appId, webId]) await c.removeContainer({ containerId: id });
    await c.stopPodSandbox({ podSandboxId });
    await c.removePodSandbox({ podSandboxId });
  } finally {
    await kubelet?.close();
    cri?.close();
    await tearDownRuntime({ rt, cgroupParent, bridge, dataDir });
    ac.abort();
  }
});
