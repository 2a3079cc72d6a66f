/**
 * The package root is an app author's face: what an app's code imports, nothing of the toolchain.
 * A new root export must be added here on purpose, so an internal cannot creep back. And what a
 * measurement container loads (the root and the container entry) must not need the CLI's parser:
 * commander is only an optional peer of the SDK, so an app image does not carry it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as root from '@nmaas/sdk';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, { default: string } | string>;
};

/** Every name the root's source exports, types included, as the compiler sees them. */
function rootExportNames(): string[] {
  const entry = path.join(sdkDir, 'src/index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    // Export names need no library types: without them the program binds in a fraction of the time.
    noLib: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => s.name)
    .sort();
}

const IMPORT_PATTERN =
  /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s*['"]([^'"]+)['"]/g;

/** The outside packages a built module graph reaches from `entries`, following relative imports and self-references. */
function outsidePackagesReached(entries: string[]): {
  packages: Set<string>;
  files: string[];
  namesCommander: string[];
} {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const namesCommander: string[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // A require built at run time (createRequire) is not an import statement: catch it by name.
    if (/['"]commander['"]/.test(text)) namesCommander.push(path.relative(sdkDir, file));
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      if (spec.startsWith('.')) queue.push(path.resolve(path.dirname(file), spec));
      else if (spec.startsWith('node:')) continue;
      else if (spec === '@nmaas/sdk' || spec.startsWith('@nmaas/sdk/')) {
        const target = pkg.exports[`.${spec.slice('@nmaas/sdk'.length)}`];
        queue.push(path.join(sdkDir, typeof target === 'string' ? target : target!.default));
      } else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { packages, files: [...seen], namesCommander };
}

describe('@nmaas/sdk faces', () => {
  it("the root exports an app author's API only", () => {
    expect(Object.keys(root).sort()).toEqual([
      'defineMeasurement',
      'formatDuration',
      'parseDuration',
      'runMeasurementOnce',
    ]);
    expect(rootExportNames()).toEqual([
      'DeclaredMetrics',
      'LogFields',
      'Logger',
      'MeasureFunction',
      'Measurement',
      'MeasurementContext',
      'OnceResult',
      'RunFacts',
      'RunMeasurementOnceOptions',
      'RunOutcome',
      'defineMeasurement',
      'formatDuration',
      'parseDuration',
      'runMeasurementOnce',
    ]);
  });

  it('what a measurement container loads needs no commander, and commander is only an optional peer', () => {
    const entries = [path.join(sdkDir, 'dist/index.js'), path.join(sdkDir, 'dist/runtime/container-entry.js')];
    for (const entry of entries) expect(existsSync(entry), `${entry}: build first (npx tsc -b)`).toBe(true);
    const reached = outsidePackagesReached(entries);
    expect(reached.files.length).toBeGreaterThan(10); // the walk followed the graph
    expect(reached.namesCommander).toEqual([]);
    expect([...reached.packages].sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect(pkg.dependencies).not.toHaveProperty('commander');
    expect(pkg.peerDependenciesMeta?.commander?.optional).toBe(true);
  });

  it('the CLI side does load commander (so the walk above would see it)', () => {
    const reached = outsidePackagesReached([path.join(sdkDir, 'dist/kit/index.js')]);
    expect(reached.namesCommander).toEqual(['dist/kit/format-option.js']);
  });
});
