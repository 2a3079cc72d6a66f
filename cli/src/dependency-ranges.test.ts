/**
 * One range per outside dependency across the workspaces: two packages asking for different
 * ranges of cdk8s or yaml drift apart silently (and may install two copies). The toolkit's own
 * packages are exempt: how a published package pins its siblings is a publishing choice.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
type Manifest = { workspaces?: string[] } & Partial<
  Record<'dependencies' | 'devDependencies' | 'peerDependencies', Record<string, string>>
>;
const read = (dir: string) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as Manifest;

function workspaceDirs(): string[] {
  const dirs = ['.'];
  for (const pattern of read('.').workspaces ?? []) {
    if (!pattern.endsWith('/*')) dirs.push(pattern);
    else {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(path.join(root, parent))) {
        if (existsSync(path.join(root, parent, entry, 'package.json'))) dirs.push(`${parent}/${entry}`);
      }
    }
  }
  return dirs;
}

describe('dependency ranges', () => {
  it('are the same for an outside dependency in every workspace', () => {
    const ranges = new Map<string, Map<string, string[]>>();
    for (const dir of workspaceDirs()) {
      const manifest = read(dir);
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies'] as const) {
        for (const [name, range] of Object.entries(manifest[field] ?? {})) {
          if (name.startsWith('@nmaas/') || name === 'nmaas' || name === 'create-nmaas-app') continue;
          const byRange = ranges.get(name) ?? new Map<string, string[]>();
          byRange.set(range, [...(byRange.get(range) ?? []), dir]);
          ranges.set(name, byRange);
        }
      }
    }
    const split = [...ranges]
      .filter(([, byRange]) => byRange.size > 1)
      .map(([name, byRange]) => `${name}: ${JSON.stringify(Object.fromEntries(byRange))}`);
    expect(split, 'give every workspace the same range').toEqual([]);
  });
});
