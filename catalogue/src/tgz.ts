/**
 * Reproducible chart archives. `helm package` stamps every tar header with the current time, so
 * two builds of one chart never share a digest; we write the same layout Helm writes (gzip header
 * with Helm's Extra bytes and "Helm" comment, USTAR regular-file headers, mode 0644, uid/gid 0,
 * no directory entries) but with a fixed mtime, so the same files always give the same bytes.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import type * as TarHeaderApi from 'tar/header';
import type * as TarPaxApi from 'tar/pax';

// tar's header code (the subpath exports, not all of tar) is loaded on first use: the common
// build (short ASCII paths, no archive inputs) writes every header itself and never needs it.
const requireHere = createRequire(import.meta.url);
let tarApi: { Header: typeof TarHeaderApi.Header; Pax: typeof TarPaxApi.Pax } | undefined;
function tarCode() {
  tarApi ??= {
    Header: (requireHere('tar/header') as typeof TarHeaderApi).Header,
    Pax: (requireHere('tar/pax') as typeof TarPaxApi).Pax,
  };
  return tarApi;
}

/** The mtime written into every tar header (2000-01-01T00:00:00Z): fixed so digests only depend on content. */
export const ARCHIVE_MTIME = new Date(Date.UTC(2000, 0, 1));

/** Go's compress/gzip header as `helm package` writes it (pkg/chartutil/save.go). */
const HELM_GZIP_EXTRA = Buffer.from('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=', 'latin1');
const HELM_GZIP_COMMENT = Buffer.from('Helm\0', 'latin1');

export interface ArchiveFile {
  /** Path inside the archive, `/`-separated, including the top-level chart folder. */
  path: string;
  data: Buffer;
}

const BLOCK = 512;

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** node-tar's numeric field format: zero-padded octal, a space, NUL. */
function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 2, '0')} `, offset, 'latin1');
}

const MTIME_SECONDS = ARCHIVE_MTIME.getTime() / 1000;
/** Every field but name, size and checksum is the same for every entry: encoded once. */
const HEADER_TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK);
  octal(block, 100, 8, 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 136, 12, MTIME_SECONDS);
  block.write('0', 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  return block;
})();

/** Byte sum of the template with the checksum field as eight spaces (as the checksum is computed). */
const TEMPLATE_SUM = (() => {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += HEADER_TEMPLATE[i]!;
  return sum;
})();

/**
 * The common case (an ASCII path of at most 100 bytes, a file under 1 GiB) written directly; byte-identical to tar's
 * Header.encode (a test checks), at a fraction of its cost on large builds. Returns null otherwise.
 */
export function fastHeader(path: string, size: number): Buffer | null {
  if (path.length > 100 || size >= 8 ** 10 || !/^[\x20-\x7e]*$/.test(path)) return null;
  const block = Buffer.from(HEADER_TEMPLATE);
  block.write(path, 0, 'latin1');
  const sizeField = `${size.toString(8).padStart(10, '0')} `;
  block.write(sizeField, 124, 'latin1');
  // The checksum is the byte sum of the header with its own field as spaces: the template's share
  // is fixed, so only the name and size bytes are added here.
  let sum = TEMPLATE_SUM;
  for (let i = 0; i < path.length; i++) sum += path.charCodeAt(i);
  for (let i = 0; i < sizeField.length; i++) sum += sizeField.charCodeAt(i);
  block.write(`${sum.toString(8).padStart(6, '0')} \0`, 148, 'latin1');
  return block;
}

function fileHeader(path: string, size: number): Buffer[] {
  const fast = fastHeader(path, size);
  if (fast) return [fast];
  return tarHeader(path, size);
}

/** The header as the tar package writes it, with a PAX record when the path needs one. */
export function tarHeader(path: string, size: number): Buffer[] {
  const fields = {
    path,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: ARCHIVE_MTIME,
    type: 'File' as const,
    uname: '',
    gname: '',
  };
  const { Header, Pax } = tarCode();
  const header = new Header(fields);
  const block = Buffer.alloc(BLOCK);
  // encode() returns true when the path does not fit USTAR's name/prefix fields: add a PAX record then.
  const needsPax = header.encode(block, 0);
  if (!needsPax) return [block];
  const pax = new Pax({ ...fields, path }, false).encode();
  const plain = new Header({ ...fields, path: path.slice(-99) });
  const fallback = Buffer.alloc(BLOCK);
  plain.encode(fallback, 0);
  return [pax, fallback];
}

/** The tar stream (two zero blocks at the end, as Go's archive/tar closes it). */
export function tarBytes(files: readonly ArchiveFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(...fileHeader(f.path, f.data.length), f.data, pad(f.data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Wraps raw deflate data in the gzip header Helm writes (FEXTRA + FCOMMENT, mtime 0, OS unknown). */
export function gzipLikeHelm(data: Buffer): Buffer {
  const deflated = zlib.deflateRawSync(data, { level: zlib.constants.Z_DEFAULT_COMPRESSION });
  const header = Buffer.from([
    0x1f,
    0x8b,
    0x08,
    0x04 | 0x10,
    0,
    0,
    0,
    0,
    0x00,
    0xff,
    HELM_GZIP_EXTRA.length & 0xff,
    HELM_GZIP_EXTRA.length >> 8,
  ]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([header, HELM_GZIP_EXTRA, HELM_GZIP_COMMENT, deflated, trailer]);
}

/** The .tgz bytes for `files` in the given order. */
export function packArchive(files: readonly ArchiveFile[]): Buffer {
  return gzipLikeHelm(tarBytes(files));
}

export function sha256Hex(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The most a chart archive may decompress to: Helm's own limit (pkg/chart/loader/archive.go,
 * 100 MiB), so a small compression bomb (a subchart .tgz inside a chart) is refused after that
 * much output instead of filling memory.
 */
export const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;

/** Reads the regular files of a (gzipped) tar archive, honouring PAX path records. */
export function readArchive(tgz: Buffer, maxBytes = MAX_ARCHIVE_BYTES): ArchiveFile[] {
  const { Header, Pax } = tarCode();
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(tgz, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(`it decompresses to more than ${maxBytes / (1024 * 1024)} MiB, Helm's limit for a chart`);
    throw error;
  }
  const out: ArchiveFile[] = [];
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const header = new Header(block);
    const size = header.size ?? 0;
    const data = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + size + pad(size).length;
    if (header.type === 'ExtendedHeader') {
      paxPath = Pax.parse(data.toString('utf8'), header).path;
      continue;
    }
    if (header.type === 'File' || header.type === 'OldFile') {
      out.push({ path: paxPath ?? header.path ?? '', data: Buffer.from(data) });
    }
    paxPath = undefined;
  }
  return out;
}
