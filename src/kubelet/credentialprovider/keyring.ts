// Registry credentials by image, as the kubelet's credentialprovider keyring matches them:
// each docker config key ("host", "host:port", "https://host/v1/", "host/path",
// "*.example.com") becomes a schemeless "host[:port][/path]" key ("/v1/" and "/v2/" mean
// the bare host); keys are tried in reverse lexical order (so "quay.io/team" before
// "quay.io"); a key matches an image when the ports are equal, the hosts have as many
// dot-separated parts and each part matches as a glob, and the key's path is a prefix of
// the image's. Docker Hub images ("busybox", "user/app", "docker.io/...") fall back to the
// credentials stored for "index.docker.io" (e.g. from "https://index.docker.io/v1/").

/** One credential for a registry (what CRI's AuthConfig carries). */
export interface RegistryAuth {
  username: string;
  password: string;
  email?: string;
}

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

interface SchemelessUrl { host: string; path: string }

/** "host[:port][/path]" → host and path, as url.Parse("https://" + s) splits them. */
function parseSchemeless(s: string): SchemelessUrl | undefined {
  const slash = s.indexOf('/');
  const host = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash);
  if (/[\s?#@]/.test(host)) return undefined;
  return { host, path };
}

/** A host split into its dot-separated parts and its port ("" when none). */
function splitHost(host: string): { parts: string[]; port: string } {
  const m = /^(.*):(\d*)$/.exec(host);
  const name = m && !m[1].includes(':') ? m[1] : host;
  return { parts: name.split('.'), port: m && !m[1].includes(':') ? m[2] : '' };
}

const globCache = new Map<string, RegExp | undefined>();

/** filepath.Match of one host part (case-sensitive): `*` any run, `?` one character, `[...]` a class. */
function globMatch(glob: string, target: string): boolean {
  let re = globCache.get(glob);
  if (!globCache.has(glob)) {
    let src = '^';
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i];
      if (ch === '*') src += '.*';
      else if (ch === '?') src += '.';
      else if (ch === '[') {
        const end = glob.indexOf(']', i + 1);
        if (end < 0) { re = undefined; src = ''; break; }
        let body = glob.slice(i + 1, end);
        if (body.startsWith('^')) body = `\\^${body.slice(1)}`;
        src += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      } else if (ch === '\\' && i + 1 < glob.length) src += `\\${glob[++i]}`;
      else src += ch.replace(/[.+^${}()|\]\\]/g, '\\$&');
    }
    re = src ? new RegExp(`${src}$`) : undefined;
    globCache.set(glob, re);
  }
  return re ? re.test(target) : false;
}

/** Whether a keyring key (glob) covers an image repository, both schemeless. */
export function urlsMatch(key: string, image: string): boolean {
  const g = parseSchemeless(key), t = parseSchemeless(image);
  if (!g || !t) return false;
  const gh = splitHost(g.host), th = splitHost(t.host);
  if (gh.port !== th.port || gh.parts.length !== th.parts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return gh.parts.every((p, i) => globMatch(p, th.parts[i]));
}

/** The keyring key of a docker config entry: scheme dropped, "/v1/" or "/v2/" meaning the host. */
export function keyringKey(location: string): string | undefined {
  const value = /^https?:\/\//.test(location) ? location.replace(/^https?:\/\//, '') : location;
  const u = parseSchemeless(value);
  if (!u || !u.host) return undefined;
  let path = u.path;
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path && path !== '/' ? u.host + path : u.host;
}

/** Whether an image (a normalized repository) lives on Docker Hub. */
function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (!first) return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === DEFAULT_REGISTRY_HOST) return true;
  return !/[.:]/.test(first);
}

/**
 * The repository to look credentials up for: "busybox" → "docker.io/library/busybox",
 * tag and digest dropped (the kubelet's parsers.ParseImageName).
 */
export function repositoryOf(image: string): string {
  let name = image;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) name = name.slice(0, colon);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain = first, rest = name.slice(slash + 1);
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = 'docker.io';
    rest = name;
  }
  if (domain === DEFAULT_REGISTRY_HOST) domain = 'docker.io';
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  name = `${domain}/${rest}`;
  return name;
}

/** Credentials by keyring key, in the order the kubelet tries them. */
export class DockerKeyring {
  private readonly creds = new Map<string, RegistryAuth[]>();
  private index: string[] = [];

  /** Adds one docker config ({location: {username, password, auth, email}}), already decoded. */
  add(config: Map<string, RegistryAuth>): void {
    for (const [location, auth] of config) {
      const key = keyringKey(location);
      if (!key) continue;
      const list = this.creds.get(key) ?? [];
      list.push(auth);
      this.creds.set(key, list);
    }
    // most specific first: the keys reverse-sorted, each once
    this.index = [...this.creds.keys()].sort().reverse();
  }

  get size(): number { return this.creds.size; }

  /** Every credential whose key covers the image's repository, most specific key first. */
  lookup(image: string): RegistryAuth[] {
    const repo = repositoryOf(image);
    const out: RegistryAuth[] = [];
    for (const k of this.index) if (urlsMatch(k, repo)) out.push(...this.creds.get(k)!);
    if (out.length) return out;
    if (isDefaultRegistryMatch(repo)) return [...(this.creds.get(DEFAULT_REGISTRY_HOST) ?? [])];
    return [];
  }
}
