/**
 * Pods the admission refused recently and whose controller will ask again: the "pending" input of
 * the in-cluster re-plan. A controller (ReplicaSet, Job, StatefulSet…) re-creates a refused pod
 * with the same owner, so a slot the re-plan reserves for that owner and app is what the retry gets
 * (the admission service hands a reserved slot to the owner's next pod before deciding anything).
 * Bare pods have no controller to retry them and are not remembered.
 *
 * One entry per namespace, owner and app (a controller's replicas share one shape): the newest
 * refusal wins, an admission of that owner's pod forgets it, and entries older than `ttlMs` are
 * dropped (the controller gave up, or was deleted). Bounded: a flood of distinct owners evicts the
 * oldest entries instead of growing the map.
 */
import type { PodContract } from '@nmaas/sdk/contract';

export interface PendingRefusal {
  namespace: string;
  ownerUid: string;
  contract: PodContract;
  /** The node the pod is pinned to (nodeName or hostname selector), if any. */
  pin: string | null;
  /** Wall-clock milliseconds of the latest refusal. */
  refusedAt: number;
}

/** Long enough for a controller's back-off to ask again a few times; short enough to forget a deleted one. */
export const PENDING_REFUSAL_TTL_MS = 15 * 60_000;
const MAX_PENDING_REFUSALS = 1024;

export class PendingRefusals {
  private readonly entries = new Map<string, PendingRefusal>();

  constructor(private readonly ttlMs = PENDING_REFUSAL_TTL_MS) {}

  note(entry: PendingRefusal): void {
    const key = keyOf(entry.namespace, entry.ownerUid, entry.contract.app);
    // Re-inserted so the map's order is the order of the latest refusals (the oldest go first).
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > MAX_PENDING_REFUSALS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  forget(namespace: string, ownerUid: string, app: string): void {
    this.entries.delete(keyOf(namespace, ownerUid, app));
  }

  /** The refusals younger than the TTL at `nowMs`, oldest first; older ones are dropped. */
  list(nowMs: number): PendingRefusal[] {
    for (const [key, e] of this.entries) if (nowMs - e.refusedAt > this.ttlMs) this.entries.delete(key);
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (namespace: string, ownerUid: string, app: string) => `${namespace}\u0000${ownerUid}\u0000${app}`;
