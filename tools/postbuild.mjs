#!/usr/bin/env node
// tsc does not keep the executable bit: give it to every workspace bin so `npx nmaas` and
// `npm create nmaas-app` run straight after `npm install`.
import { readFile, chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
for (const ws of workspaces.filter((w) => !w.includes('*'))) {
  const pkg = JSON.parse(await readFile(path.join(root, ws, 'package.json'), 'utf8'));
  for (const bin of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}))) {
    const file = path.join(root, ws, bin);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      await chmod(file, 0o755);
  }
}
