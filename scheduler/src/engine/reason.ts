/**
 * Why an instance could not be placed, in words a person acts on: which rule emptied the candidate set,
 * or — when nodes match but time is short — the closest node and who keeps it busy when.
 * Runs only on rejection, so it may look at every slot of a few hundred nodes.
 */
import type { RejectCode, StrategyName } from './types.js';
import { staticCulprits, type StaticRejection } from './filter.js';
import type { InstanceSpec } from './instance.js';
import { EXCLUSIVE_UNIT, SLOT_WORDS, type NodeState } from './node-state.js';
import type { Shape } from './shape.js';
import { formatPeriod, formatSlot } from './time.js';
import { formatAmount } from './units.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

export interface ReasonContext {
  horizon: number;
  strategy: StrategyName;
  nodes: NodeState[];
}

const MAX_EXAMINED = 64;

function list(items: string[], max = 3): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  const text = shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : text;
}

function where(spec: InstanceSpec): string {
  if (spec.node !== null) return `node ${spec.node}`;
  const keys = Object.keys(spec.nodeSelector);
  if (keys.length === 0) return 'the cluster';
  if (keys.length === 1 && keys[0] === NODE_POOL_LABEL) return `pool ${spec.nodeSelector[NODE_POOL_LABEL]}`;
  return `nodes matching ${keys
    .sort()
    .map((k) => `${k}=${spec.nodeSelector[k]}`)
    .join(',')}`;
}

export function explainRejection(
  ctx: ReasonContext,
  spec: InstanceSpec,
  shape: Shape,
  candidates: NodeState[],
): { code: RejectCode; reason: string } {
  const w = where(spec);
  if (candidates.length === 0) {
    if (spec.node !== null && !ctx.nodes.some((n) => !n.dead && n.name === spec.node)) {
      return {
        code: 'no-node',
        reason: `${spec.id} is pinned to node ${spec.node}, which is not a measurement node (no nmaas.io/pool label or unknown); pin it to a pooled node`,
      };
    }
    const pools = [...new Set(ctx.nodes.filter((n) => !n.dead && n.pool !== null).map((n) => n.pool!))].sort();
    return {
      code: 'no-node',
      reason: `no node matches the nodeSelector of ${spec.id} (${
        Object.entries(spec.nodeSelector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || 'none'
      }${spec.node ? `, pinned to ${spec.node}` : ''}); known pools: ${pools.join(', ') || 'none'}`,
    };
  }
  // Every rule a node breaks is counted (not only the first), over all candidates: the breakdown
  // says what really blocks the pod, and how much room each rule leaves.
  const byRule = { affinity: 0, 'anti-affinity': 0, spread: 0 };
  const firstRule = { affinity: 0, 'anti-affinity': 0, spread: 0 };
  const open: NodeState[] = [];
  let antiExample = '';
  for (const n of candidates) {
    const rules = staticRejections(n, spec);
    if (rules.length === 0) open.push(n);
    else {
      firstRule[rules[0]!]++;
      for (const rule of rules) byRule[rule]++;
      if (rules.includes('anti-affinity') && antiExample === '')
        antiExample = `${n.name} (${list(staticCulprits(n, spec, 'anti-affinity'))})`;
    }
  }
  const excluded = staticBreakdown(byRule, spec, candidates.length);
  if (open.length === 0) {
    const hostsAll = candidates.length - byRule.affinity;
    if (
      firstRule.affinity > 0 &&
      firstRule.affinity >= firstRule['anti-affinity'] &&
      firstRule.affinity >= firstRule.spread
    ) {
      const fix =
        hostsAll === 0
          ? `place ${spec.affinity.length > 1 ? 'those apps' : spec.affinity[0]} first`
          : `the ${hostsAll} node(s) hosting ${spec.affinity.length > 1 ? 'them' : 'it'} are excluded by other rules`;
      return {
        code: 'affinity',
        reason: `${hostsAll === 0 ? 'no node' : `only ${hostsAll} of ${candidates.length} nodes`} in ${w} already host${hostsAll <= 1 ? 's' : ''} ${list(spec.affinity)}, which ${spec.id} must share a node with (affinity); ${fix}${excluded}`,
      };
    }
    if (firstRule['anti-affinity'] >= firstRule.spread) {
      return {
        code: 'anti-affinity',
        reason: `every node in ${w} that could take ${spec.id} hosts an app it must not share a node with (anti-affinity${spec.antiAffinity.length ? ` with ${list(spec.antiAffinity)}` : ''}, or an app refusing ${spec.app}); e.g. ${antiExample}${excluded}`,
      };
    }
    return {
      code: 'spread',
      reason: `every node in ${w} already hosts an instance of spread group ${spec.spreadGroup} (one per node); add a node to ${w} or drop spread${excluded}`,
    };
  }
  if (ctx.strategy === 'ffd')
    return {
      code: 'capacity',
      reason:
        reservationReason(spec, shape, open, w, 'run', 'ffd reserves the run load for the whole horizon') + excluded,
    };
  if (ctx.strategy === 'kube')
    return {
      code: 'capacity',
      reason: reservationReason(spec, shape, open, w, 'idle', 'kube requests only the idle load') + excluded,
    };
  // Nodes that could never hold one run (or the idle reservation), whatever the time: counted over all of them.
  const tooSmall = [0, 0, 0];
  const roomy: NodeState[] = [];
  for (const n of open) {
    let fits = true;
    for (let r = 0; r < 3; r++) {
      if (n.cap[r]! < Math.max(shape.run[r]!, shape.idle[r]!)) {
        tooSmall[r]!++;
        fits = false;
      }
    }
    if (fits) roomy.push(n);
  }
  const smallText = [0, 1, 2]
    .filter((r) => tooSmall[r]! > 0)
    .map(
      (r) =>
        `${tooSmall[r]} offer${tooSmall[r] === 1 ? 's' : ''} less than ${formatAmount(r, Math.max(shape.run[r]!, shape.idle[r]!))} in all`,
    );
  if (roomy.length === 0) {
    const largest = [0, 1, 2]
      .filter((r) => tooSmall[r]! > 0)
      .map((r) => `${formatAmount(r, Math.max(...open.map((n) => n.cap[r]!)))}`);
    return {
      code: 'capacity',
      reason: `no node in ${w} offers what one run of ${spec.id} needs: of ${open.length} node(s), ${list(smallText)}; the largest offers ${list(largest)}${excluded}`,
    };
  }
  const small =
    smallText.length > 0
      ? `; ${open.length - roomy.length} of ${open.length} open node(s) are too small in all (${list(smallText)})`
      : '';
  return {
    code: 'capacity',
    reason: capacityReason(ctx, spec, shape, roomy.slice(0, MAX_EXAMINED), w) + small + excluded,
  };
}

/** Every static rule a node breaks for the instance, in the engine's filter order. */
function staticRejections(node: NodeState, spec: InstanceSpec): StaticRejection[] {
  const out: StaticRejection[] = [];
  if (spec.affinity.some((a) => !node.apps.has(a))) out.push('affinity');
  if (spec.antiAffinity.some((a) => node.apps.has(a)) || node.refused.has(spec.app)) out.push('anti-affinity');
  if (spec.spreadGroup !== null && node.spread.has(spec.spreadGroup)) out.push('spread');
  return out;
}

/** "; of 5,000 nodes, 4,999 are excluded by spread group g, …": empty when no rule excludes any node. */
function staticBreakdown(byRule: Record<StaticRejection, number>, spec: InstanceSpec, total: number): string {
  const parts: string[] = [];
  if (byRule.affinity > 0) parts.push(`${byRule.affinity} lack ${list(spec.affinity)} (affinity)`);
  if (byRule['anti-affinity'] > 0)
    parts.push(`${byRule['anti-affinity']} host an app it must not share a node with (anti-affinity)`);
  if (byRule.spread > 0) parts.push(`${byRule.spread} already host spread group ${spec.spreadGroup}`);
  return parts.length === 0 ? '' : `; of ${total} node(s) matching its selector, ${list(parts)}`;
}

/** Capacity reason for the time-blind baselines: what is left of the node once reservations are counted. */
function reservationReason(
  spec: InstanceSpec,
  shape: Shape,
  nodes: NodeState[],
  w: string,
  what: 'run' | 'idle',
  how: string,
): string {
  const demand =
    what === 'run' ? shape.run.map((v, r) => Math.max(v, shape.idle[r]!)) : [shape.idle[0], shape.idle[1], 0];
  let best: NodeState | null = null;
  let bestShort = Infinity;
  for (const n of nodes) {
    const held = what === 'run' ? n.reserved : n.idleSum;
    let short = 0;
    for (let r = 0; r < 3; r++) short += Math.max(0, held[r]! + demand[r]! - n.cap[r]!) / Math.max(1, n.cap[r]!);
    if (shape.exclusive && what === 'run' && n.count > 0) short += 1;
    if (short < bestShort) {
      bestShort = short;
      best = n;
    }
  }
  const need = [0, 1, 2].filter((r) => demand[r]! > 0).map((r) => formatAmount(r, demand[r]!));
  const b = best!;
  const held = what === 'run' ? b.reserved : b.idleSum;
  const left = [0, 1, 2].filter((r) => demand[r]! > 0).map((r) => formatAmount(r, Math.max(0, b.cap[r]! - held[r]!)));
  return `no node in ${w} has ${list(need)} unreserved for ${spec.id} (${how}); closest: ${b.name}, ${list(left)} left`;
}

interface Closest {
  node: NodeState;
  blocked: number;
  phase: number;
  idleShort: number; // resource index short for idle, or -1
  causes: [number, number, number, number]; // blocked slots per cpu, memory, bandwidth, exclusive
}

function examine(node: NodeState, shape: Shape, horizon: number): Closest {
  const peak = node.peak();
  for (let r = 0; r < 3; r++) {
    if (node.count > 0 && peak[r]! + node.idleSum[r]! + shape.idle[r]! > node.cap[r]!) {
      return { node, blocked: Infinity, phase: shape.release, idleShort: r, causes: [0, 0, 0, 0] };
    }
  }
  const P = shape.every;
  const fold = new Int32Array(P);
  const s = node.slots;
  const blockedAt = (t: number): number => {
    // bit r set when resource r overflows, bit 3 for the exclusive rule
    let bits = 0;
    for (let r = 0; r < 3; r++)
      if ((s ? s[t * SLOT_WORDS + r]! : 0) + node.idleSum[r]! + shape.run[r]! > node.cap[r]!) bits |= 1 << r;
    const c = s ? s[t * SLOT_WORDS + 3]! : 0;
    if (shape.exclusive ? c !== 0 : c >= EXCLUSIVE_UNIT) bits |= 8;
    return bits;
  };
  for (let t = 0; t < horizon; t++) if (blockedAt(t) !== 0) fold[t % P]!++;
  let best = Infinity;
  let bestPhase = shape.release;
  for (let k = 0; k <= shape.kmax; k++) {
    const phase = (shape.release + k) % P;
    let sum = 0;
    for (let d = 0; d < shape.duration; d++) sum += fold[(phase + d) % P]!;
    if (sum < best) {
      best = sum;
      bestPhase = phase;
    }
  }
  const causes: [number, number, number, number] = [0, 0, 0, 0];
  for (let start = bestPhase; start < horizon; start += P) {
    for (let d = 0; d < shape.duration; d++) {
      const bits = blockedAt((start + d) % horizon);
      for (let b = 0; b < 4; b++) if (bits & (1 << b)) causes[b]!++;
    }
  }
  return { node, blocked: best, phase: bestPhase, idleShort: -1, causes };
}

function capacityReason(ctx: ReasonContext, spec: InstanceSpec, shape: Shape, nodes: NodeState[], w: string): string {
  const H = ctx.horizon;
  let closest: Closest | null = null;
  for (const n of nodes) {
    const c = examine(n, shape, H);
    if (!closest || c.blocked < closest.blocked) closest = c;
  }
  const c = closest!;
  const every = formatPeriod(shape.every);
  const windowText =
    shape.kmax === 0
      ? ` starting at ${formatSlot(shape.release)} into each period`
      : shape.kmax + 1 < shape.every
        ? ` starting between ${formatSlot(shape.release)} and ${formatSlot((shape.release + shape.kmax) % shape.every)} into each period`
        : '';
  if (c.idleShort >= 0) {
    const r = c.idleShort;
    const free = Math.max(0, c.node.cap[r]! - c.node.idleSum[r]! - c.node.peak()[r]!);
    const need = formatAmount(r, shape.idle[r]!);
    return `no node in ${w} has ${need} free at all times for ${spec.id}'s idle reservation; closest: ${c.node.name}, ${formatAmount(r, free)} free at its busiest slot (${c.node.count} instances booked)`;
  }
  const wanted: string[] = [];
  const names = ['cpu', 'memory', 'bandwidth'];
  for (let r = 0; r < 3; r++) if (c.causes[r]! > 0) wanted.push(formatAmount(r, shape.run[r]!));
  const exclusiveBlock = c.causes[3]! > 0;
  let need = wanted.length ? `${list(wanted)} free` : '';
  if (exclusiveBlock)
    need = need
      ? `${need} and ${shape.exclusive ? 'no other run' : 'no exclusive run'}`
      : shape.exclusive
        ? 'a time with no other run (exclusive)'
        : 'a time with no exclusive run';
  if (!need) need = names.map((_, r) => formatAmount(r, shape.run[r]!)).join(', ') + ' free';
  // First blocked stretch of the closest phase, and who is active then.
  const s = c.node.slots;
  let busyFrom = -1;
  let busyTo = -1;
  for (let start = c.phase; start < H && busyFrom < 0; start += shape.every) {
    for (let d = 0; d < shape.duration; d++) {
      const t = (start + d) % H;
      let blocked = false;
      for (let r = 0; r < 3; r++)
        if ((s ? s[t * SLOT_WORDS + r]! : 0) + c.node.idleSum[r]! + shape.run[r]! > c.node.cap[r]!) blocked = true;
      const cnt = s ? s[t * SLOT_WORDS + 3]! : 0;
      if (shape.exclusive ? cnt !== 0 : cnt >= EXCLUSIVE_UNIT) blocked = true;
      if (blocked) {
        if (busyFrom < 0) busyFrom = t;
        busyTo = t + 1;
      } else if (busyFrom >= 0) break;
    }
  }
  let busy = '';
  if (busyFrom >= 0) {
    const who = c.node
      .activeAt(busyFrom)
      .map((b) => b.spec.id)
      .sort();
    busy = who.length
      ? `, busy ${formatSlot(busyFrom)}–${formatSlot(busyTo)} with ${list(who)}`
      : `, where the idle reservations of its ${c.node.count} instance(s) already leave too little`;
  }
  return `no node in ${w} has ${need} for ${shape.duration} s every ${every}${windowText}; closest: ${c.node.name}${busy}`;
}
