// Loaded into a skiff server with NODE_OPTIONS="--import <this file>" by the scheduler
// benchmark (Node 20 refuses --cpu-prof in NODE_OPTIONS): SIGUSR2 starts the V8 CPU profiler
// on the main thread, the next SIGUSR2 stops it and writes SKIFF_CPU_PROF_DIR/server-<pid>-<n>.cpuprofile,
// so the profile covers exactly the window the benchmark measures.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.SKIFF_CPU_PROF_DIR ?? '.';
const session = new Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, res) => {
    if (!err) writeFileSync(join(dir, `server-${process.pid}-${n++}.cpuprofile`), JSON.stringify(res.profile));
    process.stderr.write(`cpuprof-preload: ${err ? `failed: ${err.message}` : 'profile written'}\n`);
  });
});
