#!/usr/bin/env node
// The skiff command line. Each subcommand is one entry in COMMANDS; the code behind it
// lives in its own file and is loaded only when used, so `skiff version` stays instant.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

// A server's young generation need not be V8's 16 MiB default: requests allocate little that
// lives, and a small nursery keeps idle memory low. Set before the heap grows.
v8.setFlagsFromString('--max-semi-space-size=2');

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  server: {
    summary: 'run a cluster control plane in the foreground',
    run: async (argv) => (await import('./server.js')).runServer(argv),
  },
  kubectl: {
    summary: 'run kubectl against the local cluster (KUBECONFIG defaults to the data dir\'s)',
    run: async (argv) => (await import('./kubectl.js')).runKubectl(argv),
  },
  nodes: {
    summary: 'add simulated nodes to a running cluster (skiff nodes add N)',
    run: async (argv) => (await import('./nodes.js')).runNodes(argv),
  },
  images: {
    summary: 'import air-gapped image archives into the node\'s containerd, or list its images',
    run: async (argv) => (await import('./images.js')).runImages(argv),
  },
  version: {
    summary: 'print version information',
    run: async () => { process.stdout.write(await versionText()); return 0; },
  },
  help: {
    summary: 'show this help, or a command\'s (skiff help server)',
    run: async (argv) => {
      if (argv[0] && COMMANDS[argv[0]] && argv[0] !== 'help') return COMMANDS[argv[0]].run(['--help']);
      process.stdout.write(usage());
      return argv[0] && !COMMANDS[argv[0]] ? 2 : 0;
    },
  },
};

function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return `skiff — Kubernetes in one program

Usage: skiff <command> [flags]

Commands:
${Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(w)}${c.summary}`).join('\n')}

Run 'skiff <command> --help' for a command's flags.
`;
}

async function versionText(): Promise<string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const { GIT_VERSION } = await import('../apiserver/server.js');
  return `skiff v${pkg.version}\nKubernetes API ${GIT_VERSION}\nnode ${process.version}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) { process.stdout.write(usage()); return 0; }
  if (name === '-h' || name === '--help') return COMMANDS.help.run(rest);
  if (name === '-v' || name === '--version') return COMMANDS.version.run(rest);
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`skiff: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => { process.stderr.write(`skiff: ${(e as Error)?.stack ?? e}\n`); process.exit(1); },
);
