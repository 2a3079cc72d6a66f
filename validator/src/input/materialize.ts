/**
 * Writes checked chart files into a fresh temp folder for helm. Paths were already judged by the
 * archive rules; this re-checks each one resolves inside the folder, so nothing is ever written
 * elsewhere even if a rule regressed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function materialize(files: Map<string, Buffer>, chartDir: string): Promise<void> {
  const root = path.resolve(chartDir);
  for (const [rel, data] of files) {
    const target = path.resolve(root, rel);
    if (!target.startsWith(root + path.sep))
      throw new Error(`refusing to write ${JSON.stringify(rel)} outside ${root}`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
  }
}
