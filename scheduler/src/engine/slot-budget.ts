/**
 * A cluster-wide memory budget for the per-second arrays nodes derive from their bookings (the slot
 * array and its period folds, node-state.ts). Those arrays are caches: a node's bookings determine
 * them exactly, so a node that has not been read for a while can let them go and rebuild them when it
 * is read again. A decision only ever reads a few hundred nodes (the first-fit frontier of each shape
 * and the emptiest nodes a refusal compares), so at thousands of nodes most arrays sit unread: keeping
 * only the least recently used within a byte budget bounds the engine's memory, whatever the cluster's
 * size, at the price of a rebuild when a node comes back. Decisions do not depend on the budget.
 *
 * Members form one list, most recently used first. A member is evicted from the tail, never the one
 * being grown (a node always holds what its own operation needs, even over the budget). Evicted arrays
 * are kept in a small pool and handed to the next node that materialises arrays of the same length,
 * so eviction and rebuild do not churn the garbage collector.
 */

/** What the budget needs of a node: its link in the list, what it holds, and how to let it go. */
export interface BudgetMember {
  /** Neighbours in the budget's list (null at the ends, or when not in the list). */
  lruPrev: BudgetMember | null;
  lruNext: BudgetMember | null;
  /** Bytes of derived arrays the member holds now. */
  heldBytes: number;
  /** Drops every derived array (handing them to `recycle`); afterwards the member holds 0 bytes. */
  evict(recycle: (a: Int32Array) => void): void;
}

/**
 * Default budget: room for the arrays of about 300 nodes with a one-hour horizon and four folds each,
 * far more than the nodes one decision reads, and a small part of the engine's memory at 5,000 nodes.
 */
export const DEFAULT_SLOT_BUDGET_BYTES = 64 * 1024 * 1024;

/** Bytes of evicted arrays kept for reuse at most. */
const POOL_BYTES = 4 * 1024 * 1024;

export class SlotBudget {
  private head: BudgetMember | null = null;
  private tail: BudgetMember | null = null;
  /** Bytes held by all members. */
  held = 0;
  /** How many times a member let its arrays go for another's sake. */
  evictions = 0;
  /** How many times a member read again after an eviction rebuilt its arrays (counted by the members). */
  rebuilds = 0;
  private readonly pool = new Map<number, Int32Array[]>();
  private pooled = 0;
  /** Takes an array no longer needed into the pool (dropped when the pool is full). */
  readonly recycle = (a: Int32Array): void => {
    if (this.pooled + a.byteLength > POOL_BYTES) return;
    let list = this.pool.get(a.length);
    if (!list) this.pool.set(a.length, (list = []));
    list.push(a);
    this.pooled += a.byteLength;
  };

  constructor(readonly limitBytes: number = DEFAULT_SLOT_BUDGET_BYTES) {
    if (!(limitBytes >= 0)) throw new RangeError(`slot budget must be a number of bytes ≥ 0, got ${limitBytes}`);
  }

  /** An array of `length` words filled with `value`: a pooled one when there is one. */
  take(length: number, value: number): Int32Array {
    const list = this.pool.get(length);
    const a = list?.pop();
    if (a === undefined) return value === 0 ? new Int32Array(length) : new Int32Array(length).fill(value);
    this.pooled -= a.byteLength;
    return a.fill(value);
  }

  /** Marks the member as just used (moves it to the front of the list). */
  touch(m: BudgetMember): void {
    if (this.head === m) return;
    if (m.lruPrev !== null) this.unlink(m);
    m.lruNext = this.head;
    m.lruPrev = null;
    if (this.head !== null) this.head.lruPrev = m;
    this.head = m;
    if (this.tail === null) this.tail = m;
  }

  /**
   * Records that the member now holds `bytes` and marks it used; then lets the least recently used
   * others go until the budget holds again.
   */
  resize(m: BudgetMember, bytes: number): void {
    this.held += bytes - m.heldBytes;
    m.heldBytes = bytes;
    this.touch(m);
    while (this.held > this.limitBytes && this.tail !== null && this.tail !== m) {
      const victim = this.tail;
      this.unlink(victim);
      this.held -= victim.heldBytes;
      victim.evict(this.recycle);
      victim.heldBytes = 0;
      this.evictions++;
    }
  }

  /** Drops the member from the budget (a node leaving the engine); its arrays are recycled. */
  forget(m: BudgetMember): void {
    if (m.lruPrev !== null || this.head === m) this.unlink(m);
    this.held -= m.heldBytes;
    m.evict(this.recycle);
    m.heldBytes = 0;
  }

  private unlink(m: BudgetMember): void {
    if (m.lruPrev !== null) m.lruPrev.lruNext = m.lruNext;
    else this.head = m.lruNext;
    if (m.lruNext !== null) m.lruNext.lruPrev = m.lruPrev;
    else this.tail = m.lruPrev;
    m.lruPrev = null;
    m.lruNext = null;
  }
}
