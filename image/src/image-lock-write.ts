import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IMAGE_LOCK_FILE, type ImageLock } from '@nmaas/sdk';

/** Writes `<appDir>/image.lock.json` (temp + rename): what `loadApp` and the chart generator pin. */
export async function writeImageLock(appDir: string, lock: ImageLock): Promise<string> {
  const file = path.join(path.resolve(appDir), IMAGE_LOCK_FILE);
  const body = `${JSON.stringify({ repository: lock.repository, tag: lock.tag, digest: lock.digest }, null, 2)}\n`;
  await writeFile(`${file}.tmp`, body);
  await rename(`${file}.tmp`, file);
  return file;
}
