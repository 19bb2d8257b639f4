// Loads @peculiar/x509 on demand. Only first start (or a renewal) needs to *create*
// certificates; every later start checks the files with node:crypto alone, so the
// ~100 ms this import costs is paid once per cluster, not per start.
import { webcrypto } from 'node:crypto';

type X509 = typeof import('@peculiar/x509');
let loaded: Promise<X509> | undefined;

export function loadX509(): Promise<X509> {
  loaded ??= (async () => {
    installReflectMetadata();
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return loaded;
}

/**
 * @peculiar/x509 uses tsyringe, which insists on a Reflect metadata polyfill but only
 * calls defineMetadata/getMetadata/getOwnMetadata. These few lines cover exactly that,
 * instead of a runtime dependency that patches the global Reflect wholesale.
 */
function installReflectMetadata(): void {
  type Meta = Map<unknown, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const R = Reflect as any;
  if (typeof R.getMetadata === 'function') return;
  const table = new WeakMap<object, Meta>();
  const own = (target: object, create: boolean): Meta | undefined => {
    let m = table.get(target);
    if (!m && create) table.set(target, (m = new Map()));
    return m;
  };
  R.defineMetadata = (key: unknown, value: unknown, target: object) => { own(target, true)!.set(key, value); };
  R.getOwnMetadata = (key: unknown, target: object) => own(target, false)?.get(key);
  R.getMetadata = (key: unknown, target: object) => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
      const m = own(o, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
}
