import { afterEach, describe, expect, it } from 'vitest';
import { familyQuality } from '@nmaas/scheduler';
import { heldOutSeeds, percentsOf, selectedFamilies, withEarlierFamilies } from './quality-families.js';

const ALL = ['mixed-nodes', 'shared-uplinks', 'heavy'];

describe('the quality bench measures some families only when asked', () => {
  const before = process.env['NMAAS_QUALITY_FAMILIES'];
  afterEach(() => {
    if (before === undefined) delete process.env['NMAAS_QUALITY_FAMILIES'];
    else process.env['NMAAS_QUALITY_FAMILIES'] = before;
  });

  it('selects every family by default, the named ones in the usual order, and refuses an unknown name', () => {
    delete process.env['NMAAS_QUALITY_FAMILIES'];
    expect(selectedFamilies(ALL)).toEqual(ALL);
    process.env['NMAAS_QUALITY_FAMILIES'] = 'heavy, mixed-nodes';
    expect(selectedFamilies(ALL)).toEqual(['mixed-nodes', 'heavy']);
    process.env['NMAAS_QUALITY_FAMILIES'] = 'heavy,nope';
    expect(() => selectedFamilies(ALL)).toThrow(/unknown family nope; known: mixed-nodes, shared-uplinks, heavy/);
  });

  it('carries the other families over from the committed results, each with the date it was measured', async () => {
    const fresh = await familyQuality(
      'shared-uplinks',
      [101],
      { nodes: 3, instances: 4 },
      { exactTimeLimitSeconds: 1 },
    );
    const all = await withEarlierFamilies([fresh], ALL);
    expect(all.map((f) => f.family)).toEqual(ALL);
    expect(all[1]).toBe(fresh);
    for (const carried of [all[0]!, all[2]!]) expect(carried.measured).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await withEarlierFamilies([fresh], ['shared-uplinks'])).toEqual([fresh]);
  });

  it("carries the ceiling bench's families over from its own results file", async () => {
    const fresh = { family: 'heavy', totals: {} };
    const all = await withEarlierFamilies([fresh], ALL, 'scheduler-ceiling');
    expect(all.map((f) => f.family)).toEqual(ALL);
    expect(all[2]).toBe(fresh);
    expect(all[0]).toMatchObject({ family: 'mixed-nodes', measured: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(all[0]).toHaveProperty('ofOptimum.admitWhenRoom');
  });
});

describe('quality runs report on held-out seeds only', () => {
  const NAME = 'NMAAS_TEST_SEEDS';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('reads the range from the environment, falls back to the default, and refuses the tuning seeds', () => {
    expect(heldOutSeeds(NAME, '101-103')).toEqual([101, 102, 103]);
    process.env[NAME] = '150-151';
    expect(heldOutSeeds(NAME, '101-103')).toEqual([150, 151]);
    for (const bad of ['90-120', '120-110', '101', 'a-b']) {
      process.env[NAME] = bad;
      expect(() => heldOutSeeds(NAME, '101-103')).toThrow(
        new RegExp(`${NAME} must be a held-out range like 101-103 \\(seeds 1–100 are for tuning\\), got ${bad}`),
      );
    }
  });
});

describe('figures of the quality benches', () => {
  it('gives each count as a percentage of the optimum, to one decimal', () => {
    expect(percentsOf(937, { online: 905, firstFit: 902, optimum: 937 })).toEqual({
      online: 96.6,
      firstFit: 96.3,
      optimum: 100,
    });
    expect(percentsOf(0, { online: 0 })).toEqual({ online: 0 });
  });
});
