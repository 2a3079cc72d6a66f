/**
 * The package's import directions, read from the sources:
 *  - the engine (`@nmaas/scheduler/engine`) depends on @nmaas/sdk and itself only, never on the
 *    simulator, the webhook, the Kubernetes layer or the chart;
 *  - the simulator and the webhook do not depend on each other; both use the re-planner
 *    (`replan/`, a search over the engine's public API only);
 *  - test fakes and helpers (`@nmaas/scheduler/testing` and the modules behind it) are imported by
 *    tests only, in this package and everywhere else in the repository;
 *  - no import cycle between the package's modules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(SRC, '../..');

/** Modules that exist for tests: never imported by production code. */
const TESTING_MODULES = [
  'testing.ts',
  'engine/testing.ts',
  'webhook/testing.ts',
  'kube/fake-api-server.ts',
  'kube/test-api.ts',
];

/** Where each area of the package may import from (areas are the first folder under src/). */
const ALLOWED: Record<string, { areas: string[]; packages: RegExp }> = {
  engine: { areas: ['engine'], packages: /^(node:|@nmaas\/sdk(\/(contract|kit|model))?$)/ },
  replan: { areas: ['replan', 'engine'], packages: /^(node:|@nmaas\/sdk(\/(contract|kit|model))?$)/ },
  // The plan picture, drawn by the simulator and served live by the webhook.
  picture: { areas: ['picture', 'engine'], packages: /^node:/ },
  simulate: {
    areas: ['simulate', 'replan', 'engine', 'picture', 'cli'],
    packages: /^(node:|@nmaas\/sdk(\/(contract|kit|model))?$|highs$|commander$)/,
  },
  // The `scheduler` command group the simulator's and the webhook's commands share.
  cli: { areas: ['cli'], packages: /^commander$/ },
  kube: { areas: ['kube', 'webhook'], packages: /./ },
  webhook: { areas: ['webhook', 'replan', 'engine', 'picture', 'kube', 'chart', 'cli'], packages: /./ },
  chart: { areas: ['chart', 'engine', 'webhook', 'kube'], packages: /./ },
  '.': { areas: ['.', 'engine', 'replan', 'picture', 'simulate', 'webhook', 'kube', 'chart', 'cli'], packages: /./ },
};

const isTest = (file: string) => /\.test\.ts$/.test(file);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && !entry.name.startsWith('.'))
        out.push(...sourceFiles(full));
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Every module specifier a source imports or re-exports, statically or dynamically. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /import\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^import\s+['"]([^'"]+)['"]/gm,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/**
 * The rule violations and cycles among `files` (paths relative to src/, mapped to their source).
 * Pure, so the test can show it catches a bad tree as well as pass the real one.
 */
export function importProblems(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    if (isTest(file)) continue;
    const area = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
    const allowed = ALLOWED[area] ?? ALLOWED['.']!;
    const edges: string[] = [];
    for (const spec of specifiers(source)) {
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
        const targetArea = target.includes('/') ? target.slice(0, target.indexOf('/')) : '.';
        if (!allowed.areas.includes(targetArea))
          problems.push(`${file} imports ${target}: ${area} must not depend on ${targetArea}`);
        if (TESTING_MODULES.includes(target) && !TESTING_MODULES.includes(file))
          problems.push(`${file} imports the test module ${target}`);
        edges.push(target);
      } else {
        if (spec === '@nmaas/scheduler/testing') problems.push(`${file} imports @nmaas/scheduler/testing`);
        if (!allowed.packages.test(spec)) problems.push(`${file} imports ${spec}: ${area} may not depend on it`);
      }
    }
    graph.set(file, edges);
  }
  // Cycles: depth-first search, reporting each back edge once with its path.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open')
        problems.push(`import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(' → ')}`);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return problems;
}

describe('import directions', () => {
  it('the scheduler package keeps its faces apart and has no import cycle', () => {
    const files = new Map(
      sourceFiles(SRC).map((f) => [path.relative(SRC, f).split(path.sep).join('/'), readFileSync(f, 'utf8')]),
    );
    expect(files.size).toBeGreaterThan(40);
    expect(importProblems(files)).toEqual([]);
  });

  it('no production module in the repository imports @nmaas/scheduler/testing', () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(REPO, { withFileTypes: true })) {
      if (!pkg.isDirectory() || pkg.name.startsWith('.') || pkg.name === 'node_modules') continue;
      const dir = path.join(REPO, pkg.name);
      for (const file of sourceFiles(dir)) {
        if (isTest(file)) continue;
        if (specifiers(readFileSync(file, 'utf8')).includes('@nmaas/scheduler/testing'))
          offenders.push(path.relative(REPO, file));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the published files leave every test module out, and each face is exported', () => {
    const manifest = JSON.parse(readFileSync(path.join(SRC, '..', 'package.json'), 'utf8')) as {
      files: string[];
      exports: Record<string, unknown>;
    };
    for (const module of TESTING_MODULES) {
      const built = `dist/${module.replace(/\.ts$/, '.*')}`;
      expect(manifest.files, `${built} must be left out of the package`).toContain(`!${built}`);
    }
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining(['.', './engine', './simulate', './webhook', './testing']),
    );
  });

  it('catches what it is meant to catch', () => {
    const bad = new Map([
      ['engine/engine.ts', "import { x } from './reason.js';\nimport { WebhookServer } from '../webhook/server.js';"],
      ['engine/reason.ts', "import type { RejectCode } from './engine.js';"],
      [
        'webhook/server.ts',
        "import { FakeApiServer } from '../kube/fake-api-server.js';\nimport { simulate } from '../simulate/run.js';",
      ],
      ['simulate/run.ts', "const t = await import('@nmaas/scheduler/testing');"],
      ['kube/fake-api-server.ts', ''],
      ['engine/ok.test.ts', "import { FakeApiServer } from '../kube/fake-api-server.js';"],
    ]);
    const problems = importProblems(bad);
    expect(problems).toContain('engine/engine.ts imports webhook/server.ts: engine must not depend on webhook');
    expect(problems).toContain('import cycle: engine/engine.ts → engine/reason.ts → engine/engine.ts');
    expect(problems).toContain('webhook/server.ts imports the test module kube/fake-api-server.ts');
    expect(problems).toContain('webhook/server.ts imports simulate/run.ts: webhook must not depend on simulate');
    expect(problems).toContain('simulate/run.ts imports @nmaas/scheduler/testing');
    expect(problems.some((p) => p.startsWith('engine/ok.test.ts'))).toBe(false);
  });
});
