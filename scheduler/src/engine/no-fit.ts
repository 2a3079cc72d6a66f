/**
 * "Does not fit" verdicts of the whole cluster: per shape key, one typed array indexed by node (its
 * arrival index), holding the node's departures stamp under which no allowed phase of that shape fitted
 * (plus one; 0 is "not known"). A decision walks thousands of nodes asking the same one or two keys;
 * one map lookup per key and a dense array read per node keep that walk in cache, where a map per node
 * cost a lookup (and a cache miss) per node. Verdicts are a cache: when too many shape keys are held,
 * they are all forgotten, which only costs phase searches later.
 */

/** Shape keys held at most (each costs 4 bytes per node). */
const MAX_KEYS = 2048;

export class NoFitVerdicts {
  private readonly byKey = new Map<string, Int32Array>();
  /** Length of new arrays: at least the nodes seen so far, so arrays rarely grow. */
  private width = 64;

  known(key: string, index: number, departures: number): boolean {
    const a = this.byKey.get(key);
    return a !== undefined && index < a.length && a[index] === departures + 1;
  }

  remember(key: string, index: number, departures: number): void {
    if (index >= this.width) this.width = Math.max(index + 1, this.width * 2);
    let a = this.byKey.get(key);
    if (a === undefined) {
      if (this.byKey.size >= MAX_KEYS) this.byKey.clear();
      a = new Int32Array(this.width);
      this.byKey.set(key, a);
    } else if (index >= a.length) {
      const wider = new Int32Array(this.width);
      wider.set(a);
      a = wider;
      this.byKey.set(key, a);
    }
    a[index] = departures + 1;
  }
}
