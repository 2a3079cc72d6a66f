/**
 * Overlapping run-seconds of a node: for every slot, the runs beyond the first that are active in it. Zero
 * means the node's measurements never run at the same time; it is the re-plan's second objective.
 */
export function overlapSeconds(active: readonly number[]): number {
  let total = 0;
  for (const a of active) if (a > 1) total += a - 1;
  return total;
}

/**
 * Overlapping run-seconds of a shared link, by the same definition: for every slot, the runs sending through
 * it beyond the first — counting only what the nodes do not count already. Runs on one node are the node's
 * overlap; so each slot adds the nodes behind the link that send then, beyond the first. Two bandwidth
 * tests on two nodes behind one uplink at once add one run-second per second, as two on one node do.
 * `sending[k][t]` is the bandwidth the k-th node behind the link sends in slot t (0: nothing).
 */
export function linkOverlapSeconds(sending: readonly (readonly number[])[]): number {
  if (sending.length < 2) return 0;
  let total = 0;
  const H = sending[0]!.length;
  for (let t = 0; t < H; t++) {
    let nodes = 0;
    for (const s of sending) if (s[t]! > 0) nodes++;
    if (nodes > 1) total += nodes - 1;
  }
  return total;
}

/**
 * The links' share of the re-plan's overlap, kept per link and recomputed only for the links behind the
 * nodes a step touched. `bandwidth(node)` is the node's per-slot bandwidth as the plan stands.
 */
export class LinkOverlap {
  private readonly members = new Map<string, string[]>();
  private readonly linksOf = new Map<string, string[]>();
  private readonly value = new Map<string, number>();

  constructor(
    nodes: readonly { name: string; links?: readonly { name: string }[] }[],
    private readonly bandwidth: (node: string) => readonly number[],
  ) {
    for (const n of nodes)
      for (const l of n.links ?? []) {
        let m = this.members.get(l.name);
        if (!m) this.members.set(l.name, (m = []));
        m.push(n.name);
        let ls = this.linksOf.get(n.name);
        if (!ls) this.linksOf.set(n.name, (ls = []));
        ls.push(l.name);
      }
    for (const link of this.members.keys()) this.value.set(link, this.measure(link));
  }

  private measure(link: string): number {
    return linkOverlapSeconds(this.members.get(link)!.map((n) => this.bandwidth(n)));
  }

  /** Σ over links. */
  total(): number {
    let sum = 0;
    for (const v of this.value.values()) sum += v;
    return sum;
  }

  /** The overlap of the links a node sits behind (how crowded its uplinks are). */
  around(node: string): number {
    let sum = 0;
    for (const l of this.linksOf.get(node) ?? []) sum += this.value.get(l)!;
    return sum;
  }

  /** The change since the last commit on the links behind these nodes, and how to keep it. */
  change(nodes: Iterable<string>): { delta: number; commit: () => void } {
    const fresh = new Map<string, number>();
    let delta = 0;
    for (const n of nodes)
      for (const l of this.linksOf.get(n) ?? []) {
        if (fresh.has(l)) continue;
        const v = this.measure(l);
        fresh.set(l, v);
        delta += v - this.value.get(l)!;
      }
    return { delta, commit: () => fresh.forEach((v, l) => this.value.set(l, v)) };
  }
}
