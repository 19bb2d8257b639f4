#!/usr/bin/env node
// THE test command (`npm test`, which .ci/run calls): every level the project has, against
// a real cluster, ending with one line `N passed, N failed` summed over all levels.
//
//   1. set-up: ./skiff installs npm dependencies and builds when needed (fresh clone too)
//   2. lint: the layering rule from design.md
//   3. unit tests: node --test over dist/**/*.test.js
//   4. a real `skiff server --disable-agent` (control plane only) on a temp data dir and a
//      free port, then, with its kubeconfig: the shared API scenarios (../shared/scenarios/api),
//      scenarios 01–04 again with the oldest and newest supported kubectl, this repo's own
//      test/scenarios, and the workload scenarios on 3 simulated nodes (`skiff nodes add 3`)
//   5. end-to-end node tests (dist/e2e/*.e2e.js: kill -9 durability, fuzz)
//   6. the server stops cleanly on SIGTERM (exit 0)
//   7. `skiff server` with its real local node (containerd, installed with apt when
//      missing): the shared runtime and workload scenarios with real containers, this repo's
//      test/scenarios/runtime, then a clean SIGTERM again; then the runtime's end-to-end
//      tests (dist/kubelet/**/*.e2e.js: CRI round trips, the kubelet server)
//
// Uses Node built-ins only: it runs before `npm install` on a fresh clone.
// Env: SKIFF_SHARED (default ../shared beside the repo), SKIFF_TEST_ONLY=unit,scenarios,e2e,runtime
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, openSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(process.env.SKIFF_SHARED ?? join(repo, '..', 'shared'));
const only = process.env.SKIFF_TEST_ONLY ? new Set(process.env.SKIFF_TEST_ONLY.split(',')) : null;
const KUBECTLS = ['1.27', '1.33'].map((v) => [v, `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`]);
const tmp = mkdtempSync(join(tmpdir(), 'skiff-test-'));
const started = Date.now();
const levels = []; // { name, passed, failed, skipped, secs }
let server = null; // { child, dataDir, log }

const say = (s) => process.stdout.write(`\n=== ${s}\n`);
const want = (level) => !only || only.has(level);

/** Runs a command, streaming its output; resolves with { code, out } (out kept when capture). */
function run(cmd, args, { env = {}, capture = false, timeoutMs = 30 * 60_000, cwd = repo } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (stream) => (d) => { stream.write(d); if (capture) out += d; };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    const timer = setTimeout(() => {
      process.stdout.write(`\n${cmd} ${args.join(' ')}: timed out after ${timeoutMs / 1000} s\n`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, sig) => { clearTimeout(timer); resolveRun({ code: code ?? (sig ? 128 : 1), out }); });
    child.on('error', (e) => { clearTimeout(timer); out += String(e); resolveRun({ code: 127, out }); });
  });
}

function record(name, passed, failed, skipped, t0, note = '') {
  levels.push({ name, passed, failed, skipped, secs: (Date.now() - t0) / 1000, note });
}

/** Counts from node's TAP reporter output. */
function tapCounts(file) {
  const tap = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const n = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return { pass: n('pass'), fail: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo'), found: /^# tests \d+$/m.test(tap) };
}

async function nodeTests(name, files, extra = []) {
  const t0 = Date.now();
  if (!files.length) { record(name, 0, 1, 0, t0, 'no test files found'); return; }
  const tap = join(tmp, `${name.replace(/\W+/g, '-')}.tap`);
  const { code } = await run(process.execPath, ['--test', ...extra,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files]);
  const c = tapCounts(tap);
  // A crash of the runner itself counts as one failure even when no test reported one.
  record(name, c.pass, c.fail || (code !== 0 || !c.found ? 1 : 0), c.skipped, t0);
}

/** Runs scenarios with shared/scenarios/run.sh; counts come from its closing line. */
async function scenarios(name, args, env = {}) {
  const t0 = Date.now();
  const { code, out } = await run('bash', [join(shared, 'scenarios', 'run.sh'), ...args], { env: { ...server.env, ...env }, capture: true, timeoutMs: 40 * 60_000 });
  const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(out);
  if (!m) { record(name, 0, 1, 0, t0, `run.sh ended without a summary (exit ${code})`); return; }
  const failed = Number(m[2]) || (code !== 0 ? 1 : 0);
  record(name, Number(m[1]), failed, Number(m[3]), t0);
}

function findFiles(dir, re, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findFiles(p, re, out);
    else if (re.test(name)) out.push(p);
  }
  return out.sort();
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer().on('error', rej).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startServer(name, args) {
  const dataDir = join(tmp, name);
  const port = await freePort();
  const logFile = join(tmp, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [join(repo, 'dist/cmd/main.js'), 'server', '--data-dir', dataDir, '--port', String(port), ...args],
    { cwd: repo, stdio: ['ignore', fd, fd], env: { MALLOC_ARENA_MAX: '2', ...process.env } });
  const exited = new Promise((r) => child.on('exit', (code, sig) => r({ code, sig })));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const t0 = Date.now();
  let dead = null;
  exited.then((e) => { dead = e; });
  while (!existsSync(kubeconfig)) {
    if (dead) throw new Error(`skiff server exited (${JSON.stringify(dead)}) before writing its kubeconfig`);
    if (Date.now() - t0 > 60_000) { child.kill('SIGKILL'); throw new Error('skiff server wrote no kubeconfig within 60 s'); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = {
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(tmp, 'kube-cache'), // never reuse discovery cached for another cluster on this port
    SKIFF_MAIN: join(repo, 'dist/cmd/main.js'),
    // kubectl 1.27 colours `cluster-info` even when stdout is no terminal unless TERM=dumb
    // (newer ones check for a tty); scenarios read plain text, as in any non-interactive run.
    TERM: 'dumb',
  };
  return { child, exited, dataDir, port, logFile, env, readyMs: Date.now() - t0 };
}

/** Polls kubectl until `want` nodes report Ready=True. */
async function waitNodesReady(want, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { out } = await run('kubectl', ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'],
      { env: server.env, capture: true, timeoutMs: 30_000 });
    if (out.split('\n').filter((l) => l.trim() === 'True').length >= want) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

function tail(file, n = 40) {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return ''; }
}

async function main() {
  // 1. set-up (install + build when stale); `./skiff version` also proves the launcher works.
  say('set-up: ./skiff version (installs npm dependencies and builds when needed)');
  let t0 = Date.now();
  const setup = await run('bash', [join(repo, 'skiff'), 'version'], { timeoutMs: 20 * 60_000 });
  record('set-up (install, build, ./skiff version)', setup.code === 0 ? 1 : 0, setup.code === 0 ? 0 : 1, 0, t0);
  if (setup.code !== 0) return;

  if (want('lint')) {
    say('lint: layering rule (scripts/lint.mjs)');
    t0 = Date.now();
    const lint = await run(process.execPath, [join(repo, 'scripts/lint.mjs')]);
    record('lint (layering)', lint.code === 0 ? 1 : 0, lint.code === 0 ? 0 : 1, 0, t0);
  }

  if (want('unit')) {
    say('unit tests: node --test dist/**/*.test.js');
    await nodeTests('unit tests', findFiles(join(repo, 'dist'), /\.test\.js$/), ['--test-concurrency=2', '--test-timeout=120000']);
  }

  if (want('scenarios') || want('e2e')) {
    // no nodes at first: the api scenarios see pods stay Pending; simulated nodes join later
    say('starting skiff server --disable-agent (control plane only) for the scenarios');
    server = await startOrRecord('server', ['--disable-agent']);
  }
  if (server && want('scenarios')) {
    if (server) {
      if (!existsSync(join(shared, 'scenarios', 'run.sh'))) {
        record('shared scenarios', 0, 1, 0, Date.now(), `not found: ${shared}/scenarios (set SKIFF_SHARED)`);
      } else {
        say('shared API scenarios (kubectl from PATH)');
        await scenarios('scenarios api (kubectl)', ['--needs', 'api', join(shared, 'scenarios', 'api')]);
        for (const [v, path] of KUBECTLS) {
          if (!existsSync(path)) { process.stdout.write(`(no ${path}: skipping kubectl ${v})\n`); continue; }
          say(`shared API scenarios 01-04 with kubectl ${v}`);
          await scenarios(`scenarios api 01-04 (kubectl ${v})`, ['--needs', 'api', '--only', 'api/0[1-4]-', join(shared, 'scenarios', 'api')], { KUBECTL: path });
        }
      }
      say('project scenarios (test/scenarios)');
      await scenarios('scenarios project (test/scenarios)', ['--needs', 'api', join(repo, 'test', 'scenarios')]);
      // then three simulated nodes join the running cluster (`skiff nodes add`), for the
      // scenarios that need Ready nodes (drain needs two or more)
      say('adding 3 simulated nodes (skiff nodes add 3)');
      t0 = Date.now();
      const added = await run(process.execPath, [join(repo, 'dist/cmd/main.js'), 'nodes', 'add', '3'], { env: server.env });
      const ready = added.code === 0 && await waitNodesReady(3, 90_000);
      record('skiff nodes add 3 → 3 Ready nodes', ready ? 1 : 0, ready ? 0 : 1, 0, t0);
      if (ready && existsSync(join(shared, 'scenarios', 'workloads'))) {
        say('shared workload scenarios on simulated nodes');
        await scenarios('scenarios workloads (simulated nodes)', ['--needs', 'api,nodes,multinode', join(shared, 'scenarios', 'workloads')]);
      }
    }
  }

  if (want('e2e')) {
    say('end-to-end tests: dist/e2e/*.e2e.js');
    await nodeTests('e2e (kill -9, fuzz)', findFiles(join(repo, 'dist', 'e2e'), /\.e2e\.js$/), ['--test-concurrency=1']);
  }
  await stopAndCheck('server stops cleanly on SIGTERM');

  if (want('runtime')) {
    const bridgesBefore = new Set(skiffBridges());
    // This machine as a real node: the server installs and starts containerd itself.
    say('starting skiff server with its local node (real containers through containerd)');
    server = await startOrRecord('node-server', []);
    if (server) {
      t0 = Date.now();
      const ready = await waitNodesReady(1, 10 * 60_000);
      record('local node registers and turns Ready', ready ? 1 : 0, ready ? 0 : 1, 0, t0, ready ? '' : 'no Ready node within 10 min');
      if (ready) {
        say('shared runtime and workload scenarios on the real node');
        await scenarios('scenarios runtime+workloads (real node)', ['--needs', 'api,nodes,runtime',
          join(shared, 'scenarios', 'runtime'), join(shared, 'scenarios', 'workloads')]);
        say('project runtime scenarios (test/scenarios/runtime)');
        await scenarios('scenarios project runtime', ['--needs', 'api,nodes,runtime', join(repo, 'test', 'scenarios', 'runtime')]);
      }
      // Containers outlive a stopped server (a restart re-adopts them): delete what the
      // scenarios left (their namespaces finish deleting in the background) and wait for
      // the kubelet to remove the containers, so the run leaves none behind.
      say('deleting the scenarios\' namespaces and waiting for their pods to go');
      t0 = Date.now();
      const gone = await deleteWorkloads(180_000);
      record('scenario pods removed before the node stops', gone ? 1 : 0, gone ? 0 : 1, 0, t0, gone ? '' : 'pods still present after 3 min');
      await stopAndCheck('node server stops cleanly on SIGTERM');
    }
    // the runtime's own end-to-end tests: skiff's containerd under temp dirs, CRI round trips,
    // the kubelet server's logs/exec/port-forward against real containers
    say('runtime end-to-end tests: dist/kubelet/**/*.e2e.js');
    await nodeTests('e2e runtime (CRI, kubelet server)', findFiles(join(repo, 'dist', 'kubelet'), /\.e2e\.js$/), ['--test-concurrency=1']);
    // A stopped node keeps its pod bridge (containers may outlive the server); the ones
    // this run made go, or the next run's node would find its pod CIDR routed to a dead one.
    for (const b of skiffBridges()) if (!bridgesBefore.has(b)) await run('ip', ['link', 'del', b], { capture: true, timeoutMs: 10_000 });
  }
}

/** The pod network bridges skiff nodes create (cmd/node-host.ts: skiff0, sk<hash>). */
function skiffBridges() {
  try {
    return readdirSync('/sys/class/net').filter((n) => /^sk(iff0|[0-9a-f]{8})$/.test(n) && existsSync(`/sys/class/net/${n}/bridge`));
  } catch {
    return [];
  }
}

/** Deletes every namespace but the system ones, then waits until the cluster has no pods. */
async function deleteWorkloads(timeoutMs) {
  const system = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
  const { out } = await run('kubectl', ['get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}'], { env: server.env, capture: true, timeoutMs: 30_000 });
  const names = out.trim().split(/\s+/).filter((n) => n && !system.has(n));
  if (names.length) await run('kubectl', ['delete', 'ns', '--wait=false', ...names], { env: server.env, capture: true, timeoutMs: 60_000 });
  await run('kubectl', ['delete', 'pods', '--all', '-n', 'default', '--wait=false'], { env: server.env, capture: true, timeoutMs: 60_000 });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await run('kubectl', ['get', 'pods', '-A', '-o', 'name'], { env: server.env, capture: true, timeoutMs: 30_000 });
    if (r.code === 0 && r.out.trim() === '') return true;
    await new Promise((res) => setTimeout(res, 2000));
  }
  return false;
}

/** Starts a server and reports where; a failed start is recorded as a failure (null). */
async function startOrRecord(name, args) {
  const t0 = Date.now();
  try {
    const s = await startServer(name, args);
    process.stdout.write(`server pid ${s.child.pid}, port ${s.port}, kubeconfig after ${s.readyMs} ms (log: ${s.logFile})\n`);
    return s;
  } catch (e) {
    record(`skiff server start (${name})`, 0, 1, 0, t0, e.message);
    process.stdout.write(`${e.message}\n${tail(join(tmp, `${name}.log`))}\n`);
    return null;
  }
}

async function stopAndCheck(what) {
  if (!server || server.stopped) return;
  say(`stopping the server (SIGTERM): ${server.logFile}`);
  const t0 = Date.now();
  const res = await stopServer();
  const ok = res.code === 0 && /stopped cleanly/.test(tail(server.logFile, 5));
  record(what, ok ? 1 : 0, ok ? 0 : 1, 0, t0, ok ? '' : `exit ${JSON.stringify(res)}`);
  if (!ok) process.stdout.write(`${tail(server.logFile)}\n`);
}

async function stopServer() {
  const s = server;
  if (!s || s.stopped) return { code: null };
  s.stopped = true;
  try { process.kill(s.child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(s.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
  const res = await s.exited;
  clearTimeout(timer);
  return res;
}

function summary() {
  const rows = levels.map((l) => [l.name, String(l.passed), String(l.failed), String(l.skipped), `${l.secs.toFixed(1)}s`, l.note]);
  const head = ['level', 'passed', 'failed', 'skipped', 'time', ''];
  const w = head.map((_, i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  const sum = (k) => levels.reduce((a, l) => a + l[k], 0);
  const failed = sum('failed'), passed = sum('passed');
  process.stdout.write(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)} s)\n${line(head)}\n${rows.map(line).join('\n')}\n\n`);
  if (server && failed) process.stdout.write(`server log ${server.logFile}, last lines:\n${tail(server.logFile, 30)}\n\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed > 0;
}

const onSignal = async (sig) => {
  process.stdout.write(`\n${sig}: stopping\n`);
  await stopServer();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main()
  .catch((e) => { record('test runner', 0, 1, 0, Date.now(), e.message); process.stdout.write(`${e.stack}\n`); })
  .finally(async () => {
    await stopServer();
    const ok = summary();
    // Keep the server log of a failed run for inspection; otherwise clean up.
    if (ok) rmSync(tmp, { recursive: true, force: true });
    process.exit(ok ? 0 : 1);
  });
