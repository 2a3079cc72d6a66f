/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it, plus the two guards a
 * scheduler needs because a Lease is not a write fence:
 *  - the leader stops deciding as soon as it has not renewed for `renewDeadline` (< leaseDuration),
 *    judged on its own clock, so it stops before any other replica may consider the Lease expired;
 *  - a new leader waits `settle` after acquiring before deciding, so that pods the previous leader
 *    admitted just before stopping (still in the API server's admission chain) are persisted and
 *    seen by our watch before we decide on top of them.
 * Expiry of someone else's Lease is judged like client-go: by how long *we* have seen the same
 * record (resourceVersion) unchanged, never by comparing clocks across machines.
 * Every write carries the resourceVersion read (409 Conflict = someone else wrote: re-read).
 */
import { isConflict, type KubeApi, type Lease } from './types.js';
import { LEADER_URL_ANNOTATION } from '@nmaas/sdk/contract';

/** Lease annotation where the leader publishes the URL followers forward admission requests to. */
export { LEADER_URL_ANNOTATION };

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** Where followers reach this replica's webhook (https://<pod IP>:<port>). */
  url: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  settleMs?: number;
  now?: () => number;
  onChange?: (leading: boolean) => void;
  onError?: (error: Error) => void;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private stopped = false;
  private leading = false;
  private lastRenew = 0;
  private decideFrom = Infinity;
  private observed: { resourceVersion: string; at: number; holder: string; url: string | undefined } | null = null;

  constructor(
    private readonly api: KubeApi,
    private readonly options: LeaderElectionOptions,
  ) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.settleMs = options.settleMs ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.renewDeadlineMs < this.leaseDurationMs))
      throw new Error('renewDeadline must be shorter than the lease duration');
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        this.inflight = this.tryAcquireOrRenew();
        await this.inflight;
      } catch (error) {
        this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.inflight = null;
      }
      this.checkDeadline();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.retryPeriodMs);
    };
    void tick();
  }

  /** True while this replica may decide: it leads, renewed recently, and the settle time is over. */
  canDecide(): boolean {
    const now = this.now();
    return this.leading && now - this.lastRenew < this.renewDeadlineMs && now >= this.decideFrom;
  }

  get isLeader(): boolean {
    return this.leading && this.now() - this.lastRenew < this.renewDeadlineMs;
  }

  /** Milliseconds until canDecide() may become true (0 if it is, Infinity if not leading). */
  msUntilDecide(): number {
    if (!this.isLeader) return Infinity;
    return Math.max(0, this.decideFrom - this.now());
  }

  /** The URL of the current leader as last observed (for forwarding), or undefined. */
  get leaderUrl(): string | undefined {
    if (this.isLeader) return this.options.url;
    return this.observed?.holder ? this.observed.url : undefined;
  }

  /** Stops campaigning; a leader hands the Lease back (expired at once) so a peer takes over quickly. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // A renewal still in flight would make our release conflict (409): let it land first.
    await this.inflight?.catch(() => undefined);
    if (!this.leading) return;
    this.setLeading(false);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.api.getLease(this.options.namespace, this.options.name);
        if (lease?.spec.holderIdentity !== this.options.identity) return;
        await this.api.updateLease(this.options.namespace, {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
        });
        return;
      } catch (error) {
        if (!isConflict(error)) return; // unreachable API server: the Lease simply expires
      }
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const now = this.now();
    const lease = await this.api.getLease(namespace, name);
    const spec = (fresh: boolean, transitions: number) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: fresh ? microTime(now) : lease?.spec.acquireTime,
      renewTime: microTime(now),
      leaseTransitions: transitions,
    });
    const annotations = { ...(lease?.metadata.annotations ?? {}), [LEADER_URL_ANNOTATION]: this.options.url };
    if (lease === null) {
      const created = await this.write(() =>
        this.api.createLease(namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace, annotations },
          spec: spec(true, 0),
        }),
      );
      if (created) this.acquired(now, created);
      return;
    }
    this.observe(lease, now);
    const holder = lease.spec.holderIdentity ?? '';
    if (holder === identity && this.leading) {
      const renewed = await this.write(() =>
        this.api.updateLease(namespace, {
          ...lease,
          metadata: { ...lease.metadata, annotations },
          spec: spec(false, lease.spec.leaseTransitions ?? 0),
        }),
      );
      if (renewed) {
        this.lastRenew = now;
        this.observe(renewed, now);
      }
      return;
    }
    const expired = holder === '' || now - this.observed!.at >= (lease.spec.leaseDurationSeconds ?? 15) * 1000;
    if (!expired && holder !== identity) return;
    // Ours from an earlier life of this identity, or expired: take it (a new term either way).
    const taken = await this.write(() =>
      this.api.updateLease(namespace, {
        ...lease,
        metadata: { ...lease.metadata, annotations },
        spec: spec(true, (lease.spec.leaseTransitions ?? 0) + 1),
      }),
    );
    if (taken) this.acquired(now, taken);
  }

  private acquired(now: number, lease: Lease): void {
    this.lastRenew = now;
    this.decideFrom = now + this.settleMs;
    this.observe(lease, now);
    this.setLeading(true);
  }

  private observe(lease: Lease, now: number): void {
    const rv = lease.metadata.resourceVersion ?? '';
    if (this.observed?.resourceVersion !== rv) {
      this.observed = {
        resourceVersion: rv,
        at: now,
        holder: lease.spec.holderIdentity ?? '',
        url: lease.metadata.annotations?.[LEADER_URL_ANNOTATION],
      };
    }
  }

  /** Runs a conditional write; false when someone else wrote first (409). */
  private async write(fn: () => Promise<Lease>): Promise<Lease | null> {
    try {
      return await fn();
    } catch (error) {
      if (isConflict(error)) return null;
      throw error;
    }
  }

  private checkDeadline(): void {
    if (this.leading && this.now() - this.lastRenew >= this.renewDeadlineMs) this.setLeading(false);
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (!leading) this.decideFrom = Infinity;
    this.options.onChange?.(leading);
  }
}
