// A small POSIX tar (ustar) writer: regular files, directories and symlinks, owned by
// root, with a fixed mtime so the same input always gives the same bytes (and so the same
// image digests). Paths longer than ustar's name/prefix split get a PAX 'x' header.

export type TarEntry =
  | { type: 'file'; path: string; data: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string };

/** 2000-01-01T00:00:00Z: fixed, and not 0 (some tools treat mtime 0 as "unset"). */
export const TAR_MTIME = 946684800;

const BLOCK = 512;

function octal(buf: Buffer, off: number, len: number, value: number): void {
  const s = value.toString(8).padStart(len - 1, '0');
  if (s.length > len - 1) throw new Error(`tar: value ${value} does not fit in ${len - 1} octal digits`);
  buf.write(s + '\0', off, len, 'ascii');
}

function writeStr(buf: Buffer, off: number, len: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > len) throw new Error(`tar: "${s}" is longer than ${len} bytes`);
  b.copy(buf, off);
}

/** Splits a path into ustar (prefix, name), or null when it cannot be expressed that way. */
function splitUstar(path: string): [string, string] | null {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i), name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return [prefix, name];
  }
  return null;
}

interface Header { path: string; mode: number; uid: number; gid: number; size: number; type: string; link: string }

function header(h: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  const split = splitUstar(h.path);
  const [prefix, name] = split ?? ['', h.path.slice(0, 100)];
  writeStr(b, 0, 100, name);
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, TAR_MTIME);
  b.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  b.write(h.type, 156, 1, 'ascii');
  writeStr(b, 157, 100, Buffer.byteLength(h.link) <= 100 ? h.link : h.link.slice(0, 100));
  b.write('ustar\0', 257, 6, 'ascii');
  b.write('00', 263, 2, 'ascii');
  writeStr(b, 265, 32, h.uid === 0 ? 'root' : '');
  writeStr(b, 297, 32, h.gid === 0 ? 'root' : '');
  octal(b, 329, 8, 0);
  octal(b, 337, 8, 0);
  writeStr(b, 345, 155, prefix);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return b;
}

function pad(n: number): Buffer {
  const r = n % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

/** One PAX record: "LEN key=value\n", where LEN counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let total = len + String(len).length;
  if (String(total).length !== String(len).length) total = len + String(total).length;
  return `${total}${body}`;
}

/** Serialises the entries, in order, into a complete tar archive. */
export function writeTar(entries: TarEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    let path = e.path.replace(/^\/+/, '');
    if (e.type === 'dir' && !path.endsWith('/')) path += '/';
    const link = e.type === 'symlink' ? e.target : '';
    const pax: string[] = [];
    if (!splitUstar(path)) pax.push(paxRecord('path', path));
    if (Buffer.byteLength(link) > 100) pax.push(paxRecord('linkpath', link));
    if (pax.length) {
      const data = Buffer.from(pax.join(''), 'utf8');
      out.push(header({ path: `PaxHeaders/${path}`.slice(0, 99), mode: 0o644, uid: 0, gid: 0, size: data.length, type: 'x', link: '' }), data, pad(data.length));
    }
    const uid = e.type === 'symlink' ? 0 : e.uid ?? 0;
    const gid = e.type === 'symlink' ? 0 : e.gid ?? 0;
    if (e.type === 'file') {
      out.push(header({ path, mode: e.mode ?? 0o644, uid, gid, size: e.data.length, type: '0', link: '' }), e.data, pad(e.data.length));
    } else if (e.type === 'dir') {
      out.push(header({ path, mode: e.mode ?? 0o755, uid, gid, size: 0, type: '5', link: '' }));
    } else {
      out.push(header({ path, mode: 0o777, uid, gid, size: 0, type: '2', link }));
    }
  }
  out.push(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
  return Buffer.concat(out);
}

export interface TarRecord { path: string; type: string; mode: number; size: number; link: string; data: Buffer }

/** Reads a tar written by writeTar (ustar + PAX path/linkpath); verifies header checksums. */
export function readTar(buf: Buffer): TarRecord[] {
  const out: TarRecord[] = [];
  let off = 0;
  let paxPath: string | null = null, paxLink: string | null = null;
  const str = (o: number, l: number) => { const s = buf.subarray(o, o + l); const z = s.indexOf(0); return s.subarray(0, z < 0 ? l : z).toString('utf8'); };
  const num = (o: number, l: number) => parseInt(str(o, l).trim() || '0', 8);
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (sum !== num(off + 148, 8)) throw new Error(`tar: bad header checksum at offset ${off}`);
    const size = num(off + 124, 12);
    const type = str(off + 156, 1) || '0';
    const prefix = str(off + 345, 155);
    const name = str(off, 100);
    const start = off;
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + size + pad(size).length;
    if (type === 'x') {
      for (const m of data.toString('utf8').matchAll(/\d+ (\w+)=([^\n]*)\n/g)) {
        if (m[1] === 'path') paxPath = m[2];
        if (m[1] === 'linkpath') paxLink = m[2];
      }
      continue;
    }
    out.push({ path: paxPath ?? (prefix ? `${prefix}/${name}` : name), type, mode: num(start + 100, 8), size, link: paxLink ?? str(start + 157, 100), data: Buffer.from(data) });
    paxPath = paxLink = null;
  }
  return out;
}
