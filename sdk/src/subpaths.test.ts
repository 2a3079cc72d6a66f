import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as contract from '@nmaas/sdk/contract';
import * as kit from '@nmaas/sdk/kit';
import * as model from '@nmaas/sdk/model';
import * as runtime from '@nmaas/sdk/runtime';

describe('@nmaas/sdk subpaths', () => {
  it('each holds its own part of the toolkit', () => {
    expect(typeof model.parseManifest).toBe('function');
    expect(typeof runtime.defineMeasurement).toBe('function');
    expect(typeof runtime.RunLoop).toBe('function');
    expect(contract.NODE_POOL_LABEL).toBe('nmaas.io/pool');
    expect(typeof kit.writeFileAtomic).toBe('function');
    // The kit stays apart from the model and the runtime: no app needs it to run.
    expect(Object.keys(runtime)).not.toContain('writeFileAtomic');
  });

  it('are published: every subpath a test imports is in package.json exports', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    for (const sub of ['.', './contract', './kit', './model', './runtime', './testing', './commands'])
      expect(pkg.exports).toHaveProperty([sub]);
  });
});
