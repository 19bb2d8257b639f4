#!/usr/bin/env node
// Layering lint: design.md's one rule between components, enforced on every import
// under src/. Components are the first folder below src/. Exit 1 on any violation.
//
//   api, pki                         leaves: import nothing of skiff's but themselves
//   storage                          api
//   apiserver                        api, storage, pki
//   client                           api
//   controllers scheduler kubelet    client, api (and the pki leaf, for certificate
//   proxy dns dashboard              signing): API clients only, NEVER storage or apiserver,
//                                    so each can run in another process
//   cmd, bench                       anything (wiring; in-process benchmarks)
//   e2e                              api, client, pki (black-box: they drive a real process)
//
// Tests (*.test.ts) may additionally import pki (fixture certificates). Tests that stand up
// a real API server in-process live in cmd, which may import anything.
// Packages: better-sqlite3 only in storage (and cmd/bench).
// Files over 600 lines are reported as warnings (design.md: files small enough to read).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const MAX_LINES = 600;

const CLIENTS = ['client', 'api'];
const ALLOWED = {
  api: ['api'],
  pki: ['pki'],
  storage: ['api'],
  apiserver: ['api', 'storage', 'pki'],
  client: ['api'],
  controllers: [...CLIENTS, 'pki'],
  scheduler: CLIENTS,
  kubelet: [...CLIENTS, 'pki'],
  proxy: CLIENTS,
  dns: CLIENTS,
  dashboard: CLIENTS,
  e2e: ['api', 'client', 'pki'],
  cmd: '*',
  bench: '*',
};
// tests may use the pki leaf for fixture certificates; a test that needs a real API server
// in-process lives in cmd (the wiring), so components never reach storage or apiserver
const TEST_EXTRA = ['pki'];
const PACKAGES = { 'better-sqlite3': ['storage', 'cmd', 'bench'] };

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'generated') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Blank out comments and string contents other than import specifiers, keeping line numbers. */
function stripComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, (m, pre) => pre + ' '.repeat(m.length - pre.length));
}

const IMPORT_RE = /(?:^|[;\s}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function component(file) {
  return relative(src, file).split(sep)[0];
}

const errors = [];
const warnings = [];
const files = walk(src);
for (const file of files) {
  const rel = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_LINES) warnings.push(`${rel}: ${lines} lines (over ${MAX_LINES}: consider splitting it)`);

  const comp = component(file);
  if (comp.endsWith('.ts')) { errors.push(`${rel}:1: files belong in a component folder under src/`); continue; }
  const allowed = ALLOWED[comp];
  if (!allowed) {
    errors.push(`${rel}:1: src/${comp}/ has no layering rule: add it to scripts/lint.mjs (and design.md)`);
    continue;
  }
  const isTest = /\.test\.ts$/.test(file);
  const code = stripComments(text);
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    const line = code.slice(0, m.index).split('\n').length + (code[m.index] === '\n' ? 1 : 0);
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) { errors.push(`${rel}:${line}: imports ${spec}, outside src/`); continue; }
      const to = component(target);
      if (to === comp || allowed === '*') continue;
      if (allowed.includes(to) || (isTest && TEST_EXTRA.includes(to))) continue;
      errors.push(`${rel}:${line}: ${comp} must not import ${to} (${spec}); ${comp} may import ${[comp, ...allowed.filter((a) => a !== comp)].join(', ')}`);
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      const only = PACKAGES[pkg];
      if (only && !only.includes(comp)) errors.push(`${rel}:${line}: ${comp} must not import ${pkg} (only ${only.join(', ')})`);
    }
  }
}

for (const w of warnings) console.log(`warning: ${w}`);
for (const e of errors) console.log(`error: ${e}`);
console.log(`lint: ${files.length} files, ${errors.length} layering violation(s), ${warnings.length} warning(s)`);
process.exit(errors.length ? 1 : 0);
