/**
 * When the engine's caches go stale, in one place. Each cache is tagged with the stamp it was built
 * under and is valid while that stamp stands; the stamps move only on the named events below:
 *  - `booked`: load arrived on a node — its phase-search results are stale (`node.changes`);
 *  - `released`: load left a node — also its "does not fit" verdicts (`node.departures`), and every
 *    cursor that skipped full nodes must restart (`departures`);
 *  - `tried`: a look-ahead trial was booked and undone — the node is as before, but its phase-search
 *    results are recomputed (the trial went through the same slots); not a departure;
 *  - `nodeAdded` / `nodeRemoved`: the node set changed — candidate lists and cursors are rebuilt (`topology`).
 * An event on a node behind a shared link that can constrain a run is also an event on every other node
 * behind it (the Cluster reports it for each: load on a link changes what fits on all of its nodes).
 */

/** Per-node stamps, written only by Invalidation. */
export class NodeStamps {
  /** Moves on every booking, release or trial: phase-search results are valid for one value. */
  changes = 0;
  /** Moves when load leaves the node: cached "does not fit" verdicts older than this are stale. */
  departures = 0;
}

export class Invalidation {
  /** Moves when load leaves any node. */
  departures = 0;
  /** Moves when a node joins or leaves. */
  topology = 0;

  booked(node: { stamps: NodeStamps }): void {
    node.stamps.changes++;
  }

  released(node: { stamps: NodeStamps }): void {
    node.stamps.changes++;
    node.stamps.departures++;
    this.departures++;
  }

  tried(node: { stamps: NodeStamps }): void {
    node.stamps.changes++;
  }

  nodeAdded(): void {
    this.topology++;
  }

  nodeRemoved(): void {
    this.topology++;
  }
}
