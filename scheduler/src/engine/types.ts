/**
 * The engine's vocabulary: what it is asked, what it answers and how it describes its state.
 * Its own module so that the engine and the modules it calls (reasons, rules) share these types
 * without importing each other.
 */
import type { ResourceAmounts } from '@nmaas/sdk/model';
import type { InstanceSpec } from './instance.js';
import type { ResourceName } from './units.js';
import type { NodeRuleName } from './rules/index.js';
import type { NodeState } from './node-state.js';
import type { Shape } from './shape.js';
import type { LinkBlock } from './rules/link.js';

/** Where and when an instance runs: a node and a phase (seconds into each period). */
export interface Assignment {
  node: string;
  phase: number;
}

export interface Migration {
  id: string;
  from: Assignment;
  to: Assignment;
}

export type RejectCode = 'invalid' | 'no-node' | 'affinity' | 'anti-affinity' | 'spread' | 'capacity';

export type PlaceResult =
  | { ok: true; id: string; node: string; phase: number; migrations: Migration[] }
  | {
      ok: false;
      id: string;
      code: RejectCode;
      /** What blocks the instance, as data: booking ids, counts, the closest node and the window it needs. */
      refusal: Refusal;
      /** `describeRefusal(refusal)`: the same refusal in words, with booking ids as they are. */
      reason: string;
      /**
       * Moving pods was tried and `PlaceOptions.stopRepair` ended the search before its work budget did:
       * more time might have found room. Absent otherwise (no moves allowed, or the search was complete).
       */
      repairCut?: true;
    };

/** How one `Engine.place` may decide. */
export interface PlaceOptions {
  /** Booked instances the newcomer may move when nothing fits (readapt); 0 or absent: none. */
  migrations?: number;
  /** Decide without booking: a placement found by moving others is rolled back too. */
  dryRun?: boolean;
  /**
   * Polled while the repair searches (every few work units); once it answers true the search gives up
   * as if its work budget were spent. A webhook passes its answer deadline, so a slow repair ends in a
   * refusal rather than in the API server's timeout. Without it only the counted budget bounds the
   * search, and a decision does not depend on the machine's speed (simulations and tests leave it out).
   */
  stopRepair?: () => boolean;
}

/** A resource amount in the input units: millicores, MiB, Mbps. */
export interface Amount {
  resource: ResourceName;
  amount: number;
}

/** How many candidate nodes each static rule excludes; a node breaking several rules counts under each. */
export type RuleCounts = Record<NodeRuleName, number>;

/** Open nodes that offer less of a resource than one run needs, in all. */
export interface TooSmall extends Amount {
  nodes: number;
}

/** What a refusal has in common, whatever blocks the instance. */
export interface RefusalBase {
  /** Booking id of the refused instance. */
  id: string;
  app: string;
  /** Where the instance may go: its pin (a node name) and its nodeSelector. */
  scope: { node: string | null; selector: Record<string, string> };
  /** Nodes matching the pin and the selector. */
  candidates: number;
  /** Per static rule, how many of the candidates it excludes (every candidate examined). */
  counts: RuleCounts;
  /** The instance's own rules, as the counts refer to them. */
  affinity: string[];
  antiAffinity: string[];
  spreadGroup: string | null;
}

/** The slots an instance needs and the best a node offers. Times are seconds into the horizon. */
export interface RefusalWindow {
  every: number;
  duration: number;
  /** Earliest and latest allowed start in each period (equal when the start is fixed). */
  earliest: number;
  latest: number;
  /** Phase at which the closest node is least busy, and how many of the run's slots over the horizon it blocks. */
  phase: number;
  blockedSlots: number;
  /** First blocked stretch at that phase, or null when only the idle reservations leave too little. */
  busy: { from: number; to: number } | null;
  /** A phase outside the allowed window at which the closest node is free, or null. */
  freeOutside: number | null;
}

/**
 * Why an instance cannot be placed, as data. `rule` names what blocks it; `culprits` are booking ids
 * (anti-affinity, capacity: who holds the closest node busy) or app names (affinity: the apps to place
 * first). `describeRefusal` renders the sentence; a caller maps booking ids to its own names there.
 */
export type Refusal = RefusalBase &
  (
    | { code: 'invalid'; rule: 'invalid'; problem: string }
    | { code: 'no-node'; rule: 'pin' }
    | { code: 'no-node'; rule: 'selector'; pools: string[] }
    | { code: 'affinity'; rule: 'affinity'; culprits: string[]; hosting: number }
    | {
        code: 'anti-affinity';
        rule: 'anti-affinity';
        culprits: string[];
        /** The node with the fewest instances in the way (the culprits). */
        closest: { node: string };
      }
    | { code: 'spread'; rule: 'spread' }
    | {
        code: 'capacity';
        rule: 'capacity';
        /** A placement policy with its own view of capacity (a baseline): what is left once it is counted. */
        kind: 'reservation';
        strategy: string;
        /** How that policy counts, in words ("ffd reserves the run load for the whole horizon"). */
        how: string;
        need: Amount[];
        closest: { node: string; left: Amount[] };
      }
    | {
        code: 'capacity';
        rule: 'capacity';
        /** No open node could ever hold one run: per resource, how many offer less than needed. */
        kind: 'size';
        tooSmall: TooSmall[];
        largest: Amount[];
        open: number;
      }
    | {
        code: 'capacity';
        rule: 'capacity';
        /** The idle reservation does not fit beside the closest node's busiest slot. */
        kind: 'idle';
        need: Amount;
        closest: { node: string; free: Amount; instances: number };
        tooSmall: TooSmall[];
        /** Open nodes (no static rule excludes them), and how many of those are too small in all. */
        open: number;
        tooSmallNodes: number;
      }
    | {
        code: 'capacity';
        rule: 'link';
        /** Some node would take the run, but a shared link behind it is full at every allowed phase. */
        kind: 'link';
        /** The closest such node, the phase its own slots allow, and the link full then. */
        closest: { node: string; phase: number };
        block: LinkBlock;
        window: { every: number; duration: number; earliest: number; latest: number };
        /** One run's bandwidth. */
        need: Amount;
        /** Nodes whose own slots would take the run, all blocked by their links. */
        linkBlocked: number;
        tooSmall: TooSmall[];
        open: number;
        tooSmallNodes: number;
      }
    | {
        code: 'capacity';
        /**
         * What blocks the run's slots at the closest node: resources ('capacity'), an exclusive run
         * ('exclusive'), or only the start window ('start-window': some phase outside it is free).
         */
        rule: 'capacity' | 'exclusive' | 'start-window';
        kind: 'time';
        /** The resources short at the closest node's best phase, and whether exclusivity is in the way. */
        short: Amount[];
        /** One run's demand, every resource. */
        run: Amount[];
        exclusive: { self: boolean; blocking: boolean };
        culprits: string[];
        window: RefusalWindow;
        closest: {
          node: string;
          instances: number;
          /** Nodes whose slots were read exactly; the rest were ruled out by a lower bound (or the budget). */
          examined: number;
          /** Whether the closest node is the closest of all open nodes (false when the read budget ran out). */
          exhaustive: boolean;
        };
        tooSmall: TooSmall[];
        /** Open nodes (no static rule excludes them), and how many of those are too small in all. */
        open: number;
        tooSmallNodes: number;
      }
  );

export interface Booking extends Assignment {
  id: string;
  app: string;
  instance: InstanceSpec;
}

export interface NodeSnapshot {
  name: string;
  pool: string | null;
  labels: Record<string, string>;
  capacity: ResourceAmounts;
  instances: number;
  apps: string[];
  peak: ResourceAmounts;
  average: ResourceAmounts;
  busyFraction: number;
  /** The shared links the node sits behind. */
  links: string[];
  bookings: { id: string; app: string; phase: number; every: number; duration: number; exclusive: boolean }[];
}

/** A shared link as the engine holds it: capacity (the smallest declared), nodes, and the busiest slot. */
export interface LinkSnapshot {
  name: string;
  /** Mbps. */
  capacity: number;
  nodes: string[];
  /** Highest bandwidth (Mbps) active runs send through it in one slot, and the share of slots it is used. */
  peak: number;
  busyFraction: number;
  bookings: number;
  /** Nodes that declare a different capacity for it (the smallest wins), or null when all agree. */
  conflict: { node: string; mbps: number }[] | null;
}

export interface EngineSnapshot {
  horizon: number;
  links: LinkSnapshot[];
  /** 'nmaas', or the name of the placement policy the engine was given. */
  strategy: string;
  nodes: NodeSnapshot[];
  instances: number;
}

/**
 * A placement policy other than the engine's own decision: the simulator's baselines plug in here.
 * The engine validates, filters by pin and selector, books and explains; the policy only chooses.
 */
export interface PlacementPolicy {
  readonly name: string;
  /** A node among the candidates (pin and selector match) and a phase, or null. Reads only; changes nothing. */
  choose(spec: InstanceSpec, shape: Shape, candidates: readonly NodeState[]): { node: NodeState; phase: number } | null;
  /** Its refusal when nodes pass every static rule but its own capacity view says no. */
  explain(
    shape: Shape,
    open: readonly NodeState[],
  ): { how: string; need: Amount[]; closest: { node: string; left: Amount[] } };
}

export interface EngineOptions {
  horizon?: number;
  /** Replaces the engine's own decision (and its look-ahead and readapt); for comparisons only. */
  policy?: PlacementPolicy;
  /** nmaas: how many feasible nodes the score stage compares (default 8; like kube's percentageOfNodesToScore). */
  sample?: number;
  /**
   * Bytes of per-second slot arrays and their period folds kept in memory at most (default 64 MiB): the
   * least recently read nodes' arrays are let go and rebuilt from their bookings when read again. Only
   * memory and speed depend on it, never a decision.
   */
  slotBudgetBytes?: number;
}
