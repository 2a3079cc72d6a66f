/**
 * Keeping an app's one-per-node pods from all starting at the same instant. A spread app (one pod per
 * node of its group) is installed as a burst: every pod arrives within a second or so, so they share one
 * start window, and on nodes that look alike the packing rule picks the same phase on each (on an empty
 * node, the first of the window). Each node is fine on its own, but every pod then measures at once: the
 * probes all reach a shared target together and the tests all load the shared uplinks together, which
 * the per-node model cannot see. So among the phases the packing rule holds equally good on the node,
 * the one that overlaps the fewest runs of the same app elsewhere wins, the earliest on a tie. Equally
 * good means: nothing else runs on the node during the run, and the run leaves the node's quiet time in
 * as many pieces as the packing rule's own phase would (flush against a second where the pod could not
 * run quietly, or anywhere on a node quiet all period). Choosing among every quiet phase instead, a run
 * could land in the middle of a quiet stretch and cut it in two: on tuning seeds 1–8 of 5,000 nodes ×
 * 50,000 pods at a fifth of the capacity that placed 161 pods fewer. A pod with no quiet phase keeps the
 * packing rule's choice: running beside its own node's measurements is what its node would see.
 *
 * The cluster-wide profile counts, per offset of the period, the active runs of an app's spread pods
 * with that period (pods of one app normally share their contract; those with another period are not
 * counted against each other). It is kept up to date on every booking and release, O(duration) each,
 * and only for spread pods, so the other pods cost nothing.
 */
import type { BookedInstance } from './node-state.js';

export class HerdProfile {
  /** `${app}|${every}` → active runs per offset of the period. */
  private readonly runs = new Map<string, Int32Array>();

  /** Adds (sign 1) or removes (−1) a booking's runs; only spread pods are counted. */
  apply(b: Pick<BookedInstance, 'spec' | 'phase'>, sign: 1 | -1): void {
    const { spec, phase } = b;
    if (spec.spreadGroup === null) return;
    const key = `${spec.app}|${spec.every}`;
    let active = this.runs.get(key);
    if (!active) {
      if (sign < 0) return;
      this.runs.set(key, (active = new Int32Array(spec.every)));
    }
    for (let d = 0, t = phase; d < spec.duration; d++) {
      active[t]! += sign;
      if (++t === spec.every) t = 0;
    }
  }

  /**
   * Of `phases` (in the start window's order), the one whose run overlaps the fewest run-seconds of the
   * app's spread pods with this period; the first of them on a tie. `phases` must not be empty.
   */
  leastHerded(app: string, every: number, duration: number, phases: readonly number[]): number {
    const active = this.runs.get(`${app}|${every}`);
    if (!active) return phases[0]!;
    // Prefix sums over two periods, so that a run wrapping past the period's end is one difference.
    const pre = new Float64Array(2 * every + 1);
    for (let i = 0; i < 2 * every; i++) pre[i + 1] = pre[i]! + active[i % every]!;
    let best = phases[0]!;
    let bestOverlap = Infinity;
    for (const p of phases) {
      const overlap = pre[p + duration]! - pre[p]!;
      if (overlap < bestOverlap) {
        bestOverlap = overlap;
        best = p;
        if (overlap === 0) break;
      }
    }
    return best;
  }

  /** Whether a run at `phase` overlaps any run of the app's spread pods with this period. */
  overlaps(app: string, every: number, duration: number, phase: number): boolean {
    const active = this.runs.get(`${app}|${every}`);
    if (!active) return false;
    for (let d = 0, t = phase; d < duration; d++) {
      if (active[t]! > 0) return true;
      if (++t === every) t = 0;
    }
    return false;
  }
}
