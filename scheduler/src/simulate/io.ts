/** Files the simulator writes; the JSON codecs it reads with live with the engine (engine/codec.ts). */
import { rename, writeFile } from 'node:fs/promises';
export { InputError, parseApps, parseNodes, parsePlacement, readApps, readNodes, readPlacement } from '../engine/codec.js';

/** Writes through a temp file and a rename, so a reader never sees half a file. */
export async function writeAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
