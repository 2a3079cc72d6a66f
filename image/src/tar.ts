/**
 * A deterministic tar writer for image layers. Entries are written in the order given (the layer
 * builder sorts them), with the metadata given and nothing taken from the host: no mtime, user
 * name or inode leaks in, so the same entries always give the same bytes. Names longer than
 * ustar allows, and extended attributes (file capabilities), go in PAX headers.
 */

export type TarEntry =
  | { type: 'dir'; path: string; mode: number; uid: number; gid: number }
  | {
      type: 'file';
      path: string;
      mode: number;
      uid: number;
      gid: number;
      data: Buffer;
      xattrs?: Record<string, Buffer>;
    }
  | { type: 'symlink'; path: string; target: string; uid: number; gid: number };

const BLOCK = 512;
/** The one timestamp every entry carries: 1970-01-01 keeps layers reproducible. */
export const FIXED_MTIME = 0;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(
  name: string,
  size: number,
  typeflag: string,
  mode: number,
  uid: number,
  gid: number,
  linkname = '',
): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(uid, 8), 108, 'ascii');
  block.write(octal(gid, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(FIXED_MTIME, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(typeflag, 156, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** One PAX record: "<len> key=value\n", where len counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

function paxHeader(path: string, records: Buffer[]): Buffer[] {
  const data = Buffer.concat(records);
  const name = `PaxHeaders/${path.slice(-80)}`;
  return [header(name, data.length, 'x', 0o644, 0, 0), data, pad(data.length)];
}

function fitsUstar(value: string, max: number): boolean {
  return Buffer.byteLength(value) <= max && /^[\x20-\x7e]*$/.test(value);
}

/** Serialises entries into one uncompressed tar stream (with the two closing zero blocks). */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === 'dir' ? `${entry.path.replace(/\/$/, '')}/` : entry.path;
    const records: Buffer[] = [];
    if (!fitsUstar(name, 100)) records.push(paxRecord('path', Buffer.from(name)));
    if (entry.type === 'symlink' && !fitsUstar(entry.target, 100))
      records.push(paxRecord('linkpath', Buffer.from(entry.target)));
    if (entry.type === 'file' && entry.xattrs) {
      for (const key of Object.keys(entry.xattrs).sort())
        records.push(paxRecord(`SCHILY.xattr.${key}`, entry.xattrs[key]!));
    }
    if (records.length > 0) parts.push(...paxHeader(name, records));
    const shortName = fitsUstar(name, 100) ? name : name.slice(0, 99).replace(/[^\x20-\x7e]/g, '_');
    if (entry.type === 'dir') {
      parts.push(header(shortName, 0, '5', entry.mode, entry.uid, entry.gid));
    } else if (entry.type === 'symlink') {
      const link = fitsUstar(entry.target, 100) ? entry.target : '';
      parts.push(header(shortName, 0, '2', 0o777, entry.uid, entry.gid, link));
    } else {
      parts.push(
        header(shortName, entry.data.length, '0', entry.mode, entry.uid, entry.gid),
        entry.data,
        pad(entry.data.length),
      );
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
