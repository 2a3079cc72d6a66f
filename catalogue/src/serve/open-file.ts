/**
 * A served file, opened once per request and streamed: image layers are tens of megabytes and a
 * DaemonSet's nodes pull the same layer at once, so holding each response's whole body in memory
 * would take the file's size times the pulls in flight. The size, the bytes streamed and the ETag's
 * hash all come from the one open handle, so a build that replaces the file (temp + rename) while a
 * request is served cannot mix two versions in one answer.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export interface OpenFile {
  handle: FileHandle;
  size: number;
  /** Identifies this version of the file (inode, size, modification time) for cached hashes. */
  version: string;
}

/** Opens a regular file for a response, or null when there is none at `file`. */
export async function openFile(file: string): Promise<OpenFile | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return null;
    }
    return { handle, size: info.size, version: `${info.ino}-${info.size}-${info.mtimeMs}` };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

const CHUNK = 1 << 20;

/** sha256 of the whole file, read a chunk at a time from its handle (base64url, as the ETag carries it). */
export async function hashOpenFile(file: OpenFile): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(1, file.size)));
  for (let position = 0; position < file.size;) {
    const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('base64url');
}
