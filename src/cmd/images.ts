// `skiff images import FILE...` and `skiff images ls`: air-gapped images for the node's
// containerd (the one `skiff server` runs for a data dir), like k3s's agent/images/ import
// and `crictl images`. Import takes OCI image layouts and `docker save` archives, plain or
// gzip; the images land in containerd's k8s.io namespace, so pods can use them with
// imagePullPolicy Never or IfNotPresent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CriClient } from '../kubelet/cri/client.js';
import { containerdLayout, formatImageTable, importImage, listImages } from '../kubelet/runtime/index.js';
import { normalizeRepository } from '../kubelet/runtime/oci/archive.js';
import { flagUsage, parseFlags, UsageError, type Flags } from './flags.js';
import { defaultDataDir } from './paths.js';

const FLAGS: Flags = {
  'data-dir': { type: 'string', arg: 'DIR', help: 'the data dir of the `skiff server` whose containerd gets the images', default: '/var/lib/skiff as root, else ~/.skiff (as the server)' },
  name: { type: 'string', arg: 'REPOSITORY', help: 'import: repository for images the archive names only by a tag (OCI ref.name "1.0")' },
  quiet: { type: 'boolean', short: 'q', help: 'ls: image IDs only' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const USAGE = `Usage:
  skiff images import FILE... [--data-dir DIR] [--name REPOSITORY]
  skiff images ls [--data-dir DIR] [-q]

Imports image archives (OCI image layout or docker save; .tar or .tar.gz) into the node's
containerd, where pods can use them without a registry (imagePullPolicy: Never or
IfNotPresent), and lists the images the kubelet sees.

Flags:
${flagUsage(FLAGS)}
`;

/** The containerd socket for a data dir, or an error saying the server is not running there. */
export async function nodeRuntimeSocket(dataDir: string): Promise<string> {
  const socket = containerdLayout(dataDir).socket;
  const hint = `is \`skiff server\` running with this --data-dir?`;
  if (!existsSync(socket)) throw new Error(`no containerd is running for data dir ${dataDir} (no socket ${socket}): ${hint}`);
  const client = new CriClient(socket);
  try {
    await client.version({ timeoutMs: 5_000 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/EACCES|permission denied/i.test(msg)) throw new Error(`cannot talk to containerd at ${socket}: permission denied (run as root)`);
    throw new Error(`no containerd answers on ${socket} for data dir ${dataDir} (${msg.split('\n')[0]}): ${hint}`);
  } finally {
    client.close();
  }
  return socket;
}

export async function runImages(argv: string[]): Promise<number> {
  let values, positionals: string[];
  try {
    ({ values, positionals } = parseFlags(argv, FLAGS));
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`skiff images: ${e.message}\n\n${USAGE}`); return 2; }
    throw e;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const [verb, ...args] = positionals;
  const dataDirFlag = values['data-dir'] as string | undefined;
  if (dataDirFlag === '') { process.stderr.write('skiff images: --data-dir must not be empty\n'); return 2; }
  const dataDir = resolve(dataDirFlag ?? defaultDataDir());
  const fail = (e: unknown) => { process.stderr.write(`skiff images: ${(e as Error).message}\n`); return 1; };

  switch (verb) {
    case 'import': {
      if (!args.length) { process.stderr.write(`skiff images import: give at least one archive file\n\n${USAGE}`); return 2; }
      const missing = args.filter((f) => !existsSync(f));
      if (missing.length) return fail(new Error(missing.map((f) => `${f}: no such file`).join('\n')));
      const name = values.name as string | undefined;
      const baseName = name === undefined ? undefined : normalizeRepository(name);
      if (name !== undefined && !baseName) { process.stderr.write(`skiff images import: --name wants a repository without tag or digest, e.g. example.com/app (got "${name}")\n`); return 2; }
      let socket: string;
      try { socket = await nodeRuntimeSocket(dataDir); } catch (e) { return fail(e); }
      let rc = 0;
      for (const f of args) {
        const t0 = Date.now();
        try {
          const names = await importImage(socket, resolve(f), { baseName });
          for (const n of names) process.stdout.write(`imported ${n} from ${f} (${Date.now() - t0} ms)\n`);
        } catch (e) {
          rc = fail(e);
        }
      }
      return rc;
    }
    case 'ls':
    case 'list': {
      if (args.length) { process.stderr.write(`skiff images ls: unexpected argument "${args[0]}"\n`); return 2; }
      try {
        const images = await listImages(await nodeRuntimeSocket(dataDir));
        if (values.quiet) process.stdout.write([...new Set(images.map((i) => i.id))].map((id) => `${id}\n`).join(''));
        else process.stdout.write(formatImageTable(images));
        return 0;
      } catch (e) {
        return fail(e);
      }
    }
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    default:
      process.stderr.write(`skiff images: unknown command "${verb}"\n\n${USAGE}`);
      return 2;
  }
}
