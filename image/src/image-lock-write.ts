import path from 'node:path';
import { IMAGE_LOCK_FILE, type ImageLock } from '@nmaas/sdk/model';
import { writeFileAtomic } from '@nmaas/sdk/kit';

/** Writes `<appDir>/image.lock.json` atomically: what `loadApp` and the chart generator pin. */
export async function writeImageLock(appDir: string, lock: ImageLock): Promise<string> {
  const file = path.join(path.resolve(appDir), IMAGE_LOCK_FILE);
  await writeFileAtomic(
    file,
    `${JSON.stringify({ repository: lock.repository, tag: lock.tag, digest: lock.digest }, null, 2)}\n`,
  );
  return file;
}
