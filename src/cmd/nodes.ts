// `skiff nodes add N`: register N more simulated nodes with a running cluster; the server's
// simulated node agent picks them up. Credentials come from the kubeconfig (KUBECONFIG, or
// the data dir's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RestClient } from '../client/rest.js';
import { addSimulatedNodes } from '../kubelet/simulated/index.js';
import { defaultDataDir } from './paths.js';

const USAGE = `Usage: skiff nodes add N [--kubeconfig PATH]

Registers N more simulated nodes (named sim-node-K) with the cluster; pods bound to them
become Running without containers. The kubeconfig defaults to $KUBECONFIG, then
$SKIFF_DATA_DIR/kubeconfig.yaml (data dir default: /var/lib/skiff as root, ~/.skiff otherwise).
`;

export async function runNodes(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) { process.stdout.write(USAGE); return argv.length ? 0 : 2; }
  const [verb, n, ...rest] = argv;
  let kubeconfig = process.env.KUBECONFIG || join(process.env.SKIFF_DATA_DIR || defaultDataDir(), 'kubeconfig.yaml');
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--kubeconfig' && rest[i + 1]) kubeconfig = rest[++i];
    else { process.stderr.write(`skiff nodes: unknown argument "${rest[i]}"\n\n${USAGE}`); return 2; }
  }
  const count = Number(n);
  if (verb !== 'add' || !Number.isInteger(count) || count < 1) { process.stderr.write(USAGE); return 2; }
  const kc = parseYaml(readFileSync(kubeconfig, 'utf8'));
  const cluster = kc.clusters?.[0]?.cluster ?? {};
  const user = kc.users?.[0]?.user ?? {};
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  const client = new RestClient({ server: cluster.server, ca: b64(cluster['certificate-authority-data']), cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) });
  try {
    const names = await addSimulatedNodes({ client, count });
    process.stdout.write(names.map((x) => `node/${x} created\n`).join(''));
    return 0;
  } finally {
    client.close();
  }
}
