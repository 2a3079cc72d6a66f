/**
 * Reading an input file whole, safely: only a regular file is read (a FIFO would block the reader
 * until a writer comes, /dev/zero never ends), and never more than a bound, checked on the opened
 * file before any byte is read and again while reading (a file may grow meanwhile).
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file was not read: not a regular file, larger than the bound, or growing while read. */
export class BoundedReadError extends Error {
  constructor(
    readonly file: string,
    readonly problem: 'not-regular' | 'too-large' | 'changed',
    message: string,
    /** The file's size in bytes, when it is too large. */
    readonly size?: number,
  ) {
    super(message);
    this.name = 'BoundedReadError';
  }
}

/** `1048576` → `1 MiB`, for limits in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** What a file that is not a regular one is, in words. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/**
 * The bytes of `file` when it is a regular file of at most `maxBytes`; throws BoundedReadError
 * otherwise, and Node's own error when it cannot be opened. `noFollow` refuses a symbolic link.
 */
export async function readBoundedFile(
  file: string,
  maxBytes: number,
  options: { noFollow?: boolean } = {},
): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it is refused below.
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  const handle = await open(file, flags);
  try {
    const opened = await handle.stat();
    if (!opened.isFile())
      throw new BoundedReadError(file, 'not-regular', `${file} is ${fileKind(opened)}, not a regular file`);
    const tooLarge = (size: number) =>
      new BoundedReadError(
        file,
        'too-large',
        `${file} is ${size} bytes, more than the ${formatBytes(maxBytes)} nmaas reads`,
        size,
      );
    if (opened.size > maxBytes) throw tooLarge(opened.size);
    // One byte beyond what fstat said shows a file that grew while it was read: its text is not one version.
    const buffer = Buffer.alloc(opened.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > opened.size)
      throw new BoundedReadError(file, 'changed', `${file} changed while it was read; run the command again`);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
