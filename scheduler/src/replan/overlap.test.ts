import { describe, expect, it } from 'vitest';
import { LinkOverlap, linkOverlapSeconds, overlapSeconds } from './overlap.js';

describe('overlap behind a shared link', () => {
  it('counts, per slot, the nodes sending beyond the first (runs on one node are the node’s own overlap)', () => {
    const a = [5, 5, 0, 0, 9, 0];
    const b = [5, 0, 0, 7, 9, 0];
    const c = [0, 0, 0, 7, 9, 3];
    expect(linkOverlapSeconds([a])).toBe(0);
    expect(linkOverlapSeconds([a, b])).toBe(2);
    expect(linkOverlapSeconds([a, b, c])).toBe(1 + 1 + 2);
    // Two runs on one node in one slot: the node counts one overlapping run-second, the link nothing more.
    expect(overlapSeconds([2, 0])).toBe(1);
    expect(
      linkOverlapSeconds([
        [10, 0],
        [0, 0],
      ]),
    ).toBe(0);
  });

  it('keeps a value per link and recomputes only the links behind the nodes a change touched', () => {
    const profiles = new Map<string, number[]>([
      ['a', [1, 1, 0]],
      ['b', [1, 0, 0]],
      ['c', [1, 1, 1]],
    ]);
    const reads: string[] = [];
    const links = new LinkOverlap(
      [
        { name: 'a', links: [{ name: 'up-1' }] },
        { name: 'b', links: [{ name: 'up-1' }] },
        { name: 'c', links: [{ name: 'up-2' }] },
      ],
      (n) => (reads.push(n), profiles.get(n)!),
    );
    expect(links.total()).toBe(1);
    expect(links.around('a')).toBe(1);
    expect(links.around('c')).toBe(0);
    reads.length = 0;
    profiles.set('b', [0, 0, 1]);
    const change = links.change(['b']);
    expect(reads.sort()).toEqual(['a', 'b']);
    expect(change.delta).toBe(-1);
    expect(links.total()).toBe(1);
    change.commit();
    expect(links.total()).toBe(0);
  });
});
