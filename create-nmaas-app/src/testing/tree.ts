import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Every file under `dir` with its content, for comparing two projects. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  return Object.fromEntries(
    await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as const)),
  );
}
