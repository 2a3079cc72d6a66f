import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { smallest } from './smallest.js';

describe('smallest', () => {
  it('is what a stable sort then a slice gives, ties and all', () => {
    const rnd = new Random(7);
    for (let round = 0; round < 300; round++) {
      const n = rnd.int(0, 60);
      // Few distinct keys, so ties are common; the id tells equal items apart.
      const items = Array.from({ length: n }, (_, id) => ({ key: rnd.int(0, 6), id }));
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
      for (const k of [0, 1, 3, 8, n, n + 5]) {
        expect(smallest(items, k, byKey)).toEqual([...items].sort(byKey).slice(0, Math.max(0, k)));
      }
    }
  });
});
