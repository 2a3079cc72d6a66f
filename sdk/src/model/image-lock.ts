/**
 * The image lock: `image.lock.json` beside nmaas.yaml, written by `nmaas image build` and
 * `nmaas image push`, pins the digest of the image that was actually built (like package-lock
 * pins dependencies), so nmaas.yaml never carries a hand-edited digest. `loadApp` applies it
 * when nmaas.yaml names no digest; a lock for another repository or tag is an error, not ignored.
 */
import path from 'node:path';
import { AppFileError, readAppFile } from './app-file.js';

export const IMAGE_LOCK_FILE = 'image.lock.json';
/** A lock is three short strings; anything far larger is not one. */
const MAX_LOCK_BYTES = 64 * 1024;

export interface ImageLock {
  repository: string;
  tag: string;
  digest: string;
}

/** The lock in `appDir`, null when there is none; throws on an unreadable or malformed lock. */
export async function readImageLock(appDir: string): Promise<ImageLock | null> {
  const file = path.join(appDir, IMAGE_LOCK_FILE);
  let text: string;
  try {
    // The chart carries the digest read here: like every app file, only a regular file inside the folder.
    text = (await readAppFile(appDir, IMAGE_LOCK_FILE, MAX_LOCK_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof AppFileError && error.problem === 'missing') return null;
    throw error;
  }
  const lock = JSON.parse(text) as Partial<ImageLock>;
  if (
    typeof lock.repository !== 'string' ||
    typeof lock.tag !== 'string' ||
    typeof lock.digest !== 'string' ||
    !/^sha256:[a-f0-9]{64}$/.test(lock.digest)
  ) {
    throw new Error(
      `${file} must hold {"repository", "tag", "digest": "sha256:<64 hex>"}; rebuild it with nmaas image build`,
    );
  }
  return { repository: lock.repository, tag: lock.tag, digest: lock.digest };
}
