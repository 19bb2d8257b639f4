import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logOptionsFromQuery } from './options.js';
import { ContainerLog, LogOpenError, readLogs, type FollowControl, type LogSink } from './reader.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const opts = (query = '') => logOptionsFromQuery(new URLSearchParams(query), NOW).options;

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Collects the output; `all` is what an HTTP client sees (both streams into one). */
function collector() {
  const parts: { stream: string; text: string }[] = [];
  const sink: LogSink = {
    stdout: (b) => { parts.push({ stream: 'stdout', text: b.toString() }); },
    stderr: (b) => { parts.push({ stream: 'stderr', text: b.toString() }); },
  };
  return { sink, parts, all: () => parts.map((p) => p.text).join('') };
}

const rec = (sec: number, stream: string, tag: string, text: string) =>
  `2024-05-01T11:${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}.${String(sec).padStart(9, '0')}Z ${stream} ${tag} ${text}\n`;

const FIXTURE = [
  rec(1, 'stdout', 'F', 'one'),
  rec(2, 'stderr', 'F', 'two'),
  rec(3, 'stdout', 'P', 'thr'),
  rec(4, 'stdout', 'F', 'ee'),
  rec(5, 'stdout', 'F', 'four'),
].join('');

async function read(path: string, query: string, ctl?: FollowControl) {
  const c = collector();
  await readLogs(path, opts(query), c.sink, ctl);
  return c;
}

test('a whole log: both streams in order, partial records joined into one line', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  const c = await read(p, '');
  assert.equal(c.all(), 'one\ntwo\nthree\nfour\n');
  assert.deepEqual(c.parts.map((x) => x.stream), ['stdout', 'stderr', 'stdout', 'stdout', 'stdout']);
});

test('timestamps prefix every record in the kubelet\'s fixed format', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, rec(1, 'stdout', 'F', 'one') + '2024-05-01T13:00:02.5+02:00 stdout F two\n');
  const c = await read(p, 'timestamps=true');
  assert.equal(c.all(), '2024-05-01T11:00:01.000000001Z one\n2024-05-01T13:00:02.500000000+02:00 two\n');
});

test('tailLines counts records from the end; tail=0 gives nothing', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  assert.equal((await read(p, 'tailLines=1')).all(), 'four\n');
  assert.equal((await read(p, 'tailLines=2')).all(), 'ee\nfour\n', 'the second-last record is the end of a partial line');
  assert.equal((await read(p, 'tailLines=4')).all(), 'two\nthree\nfour\n');
  assert.equal((await read(p, 'tailLines=0')).all(), '');
  assert.equal((await read(p, 'tailLines=100')).all(), 'one\ntwo\nthree\nfour\n');
});

test('sinceTime and sinceSeconds skip older records', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  assert.equal((await read(p, 'sinceTime=2024-05-01T11:00:02Z')).all(), 'two\nthree\nfour\n');
  // NOW is 12:00:00, so 3599 s back is 11:00:01: record 1 is 1 ns later and stays
  assert.equal((await read(p, 'sinceSeconds=3599')).all(), 'one\ntwo\nthree\nfour\n');
  assert.equal((await read(p, 'sinceSeconds=3595')).all(), 'four\n');
  assert.equal((await read(p, 'sinceSeconds=1')).all(), '');
  // tail is applied first, then since
  assert.equal((await read(p, 'tailLines=3&sinceTime=2024-05-01T11:00:04Z')).all(), 'ee\nfour\n');
});

test('limitBytes cuts the stream, mid-line if need be, timestamps included', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  assert.equal((await read(p, 'limitBytes=6')).all(), 'one\ntw');
  assert.equal((await read(p, 'limitBytes=4')).all(), 'one\n');
  assert.equal((await read(p, 'limitBytes=1000')).all(), 'one\ntwo\nthree\nfour\n');
  assert.equal((await read(p, 'limitBytes=12&timestamps=true')).all(), '2024-05-01T1');
});

test('stream selection keeps one stream', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  assert.equal((await read(p, 'stream=Stderr')).all(), 'two\n');
  assert.equal((await read(p, 'stream=Stdout')).all(), 'one\nthree\nfour\n');
  const c = collector();
  await readLogs(p, opts(), { stderr: c.sink.stderr }); // a sink without stdout drops stdout
  assert.equal(c.all(), 'two\n');
});

test('an unterminated last record is written when not following; bad records are skipped', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, rec(1, 'stdout', 'F', 'one') + 'not a record\n' + rec(2, 'stdout', 'F', 'two').trimEnd());
  const bad: string[] = [];
  const c = await read(p, '', { onBadRecord: (_e, l) => bad.push(l.toString()) });
  assert.equal(c.all(), 'one\ntwo');
  assert.deepEqual(bad, ['not a record\n']);
});

test('the Docker JSON format is read too', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, '{"log":"a\\n","stream":"stdout","time":"2024-05-01T11:00:01Z"}\n{"log":"b\\n","stream":"stderr","time":"2024-05-01T11:00:02Z"}\n');
  assert.equal((await read(p, 'timestamps=true')).all(), '2024-05-01T11:00:01.000000000Z a\n2024-05-01T11:00:02.000000000Z b\n');
});

test('open errors carry the kubelet\'s message; a symlinked log is followed to its file', async (t) => {
  const dir = tmp(t);
  await assert.rejects(ContainerLog.open(join(dir, 'missing.log'), opts()), (e: unknown) => {
    assert.ok(e instanceof LogOpenError);
    assert.equal(e.message, `failed to try resolving symlinks in path "${join(dir, 'missing.log')}": lstat ${join(dir, 'missing.log')}: no such file or directory`);
    return true;
  });
  writeFileSync(join(dir, 'real.log'), FIXTURE);
  symlinkSync(join(dir, 'real.log'), join(dir, 'link.log'));
  assert.equal((await read(join(dir, 'link.log'), 'tailLines=1')).all(), 'four\n');
});

test('tail of a 1 GiB file reads only its end', async (t) => {
  const p = join(tmp(t), '0.log');
  // A sparse GiB of zero bytes (no newlines, no valid records) before the last three records:
  // reading any of it would fail to parse and take seconds.
  writeFileSync(p, '');
  truncateSync(p, 1 << 30);
  appendFileSync(p, '\n' + rec(1, 'stdout', 'F', 'a') + rec(2, 'stdout', 'F', 'b') + rec(3, 'stdout', 'F', 'c'));
  const t0 = performance.now();
  assert.equal((await read(p, 'tailLines=2')).all(), 'b\nc\n');
  assert.ok(performance.now() - t0 < 2000, 'well under the time a full read takes');
});

/** Waits until `cond` holds, polling. */
async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('follow streams appended records (woken by the file watch) and ends when the container stops and the file is drained', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, rec(1, 'stdout', 'F', 'old'));
  let running = true;
  const c = collector();
  // A poll period far beyond the test's waits: only file events can wake the reader in time.
  const done = readLogs(p, opts('follow=true&tailLines=0'), c.sink, { isRunning: () => running, pollMs: 60_000 });
  let finished = false;
  void done.then(() => { finished = true; });
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(p, rec(2, 'stdout', 'F', 'new1'));
  await until('new1', () => c.all() === 'new1\n');
  // a record written in two pieces is only emitted once complete
  appendFileSync(p, rec(3, 'stderr', 'F', 'new2').slice(0, 20));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.all(), 'new1\n');
  appendFileSync(p, rec(3, 'stderr', 'F', 'new2').slice(20));
  await until('new2', () => c.all() === 'new1\nnew2\n');
  assert.equal(finished, false);
  // The container stops; what it wrote last is still delivered, then the stream ends.
  appendFileSync(p, rec(4, 'stdout', 'F', 'last'));
  running = false;
  await until('the end of the stream', () => finished);
  assert.equal(c.all(), 'new1\nnew2\nlast\n');
});

test('follow of a stopped container reads to the end and returns', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  const c = await read(p, 'follow=true&tailLines=1', { isRunning: () => false, pollMs: 60_000 });
  assert.equal(c.all(), 'four\n', 'follow ignores the tail cap but starts at the tail');
});

test('follow stops when aborted (the client went away)', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  const ac = new AbortController();
  const c = collector();
  const done = readLogs(p, opts('follow=true'), c.sink, { signal: ac.signal, isRunning: () => true, pollMs: 60_000 });
  await until('the existing lines', () => c.all() === 'one\ntwo\nthree\nfour\n');
  ac.abort();
  await done;
});

test('follow survives rotation: drains the renamed file, then reads the new one', async (t) => {
  const dir = tmp(t);
  const p = join(dir, '0.log');
  writeFileSync(p, rec(1, 'stdout', 'F', 'a'));
  const ac = new AbortController();
  const c = collector();
  const done = readLogs(p, opts('follow=true'), c.sink, { signal: ac.signal, pollMs: 30 });
  await until('a', () => c.all() === 'a\n');
  // the kubelet's rotation: rename, the runtime writes its last bytes to the old file, reopens
  renameSync(p, `${p}.20240501-110000`);
  appendFileSync(`${p}.20240501-110000`, rec(2, 'stdout', 'F', 'b'));
  writeFileSync(p, rec(3, 'stdout', 'F', 'c'));
  await until('b and c', () => c.all() === 'a\nb\nc\n');
  appendFileSync(p, rec(4, 'stdout', 'F', 'd'));
  await until('d', () => c.all() === 'a\nb\nc\nd\n');
  ac.abort();
  await done;
});

test('follow of a file truncated in place starts it over', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, rec(1, 'stdout', 'F', 'a') + rec(2, 'stdout', 'F', 'b'));
  const ac = new AbortController();
  const c = collector();
  const done = readLogs(p, opts('follow=true'), c.sink, { signal: ac.signal, pollMs: 30 });
  await until('a b', () => c.all() === 'a\nb\n');
  writeFileSync(p, rec(3, 'stdout', 'F', 'c'));
  await until('c', () => c.all() === 'a\nb\nc\n');
  ac.abort();
  await done;
});

test('a slow sink is awaited (back-pressure) and limitBytes ends a follow', async (t) => {
  const p = join(tmp(t), '0.log');
  writeFileSync(p, FIXTURE);
  const got: string[] = [];
  await readLogs(p, opts('follow=true&limitBytes=8'), {
    stdout: async (b) => { await new Promise((r) => setTimeout(r, 5)); got.push(b.toString()); },
    stderr: async (b) => { await new Promise((r) => setTimeout(r, 5)); got.push(b.toString()); },
  }, { isRunning: () => true, pollMs: 60_000 });
  assert.deepEqual(got, ['one\n', 'two\n']);
});
