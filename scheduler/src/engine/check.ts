/**
 * The independent checker: recomputes every node's load straight from the issue's definitions (no
 * engine data structure, no integer units), so it can judge any placement — ours or a baseline's.
 * Per node it sweeps the run starts and ends over one cycle — the lcm of the horizon and of the periods
 * placed there (a daily run beside a 7-minute one: a week) — never a per-second array, and refuses a
 * cycle with more than MAX_SWEEP_EVENTS run edges (CheckCycleError) instead of checking part of it.
 * `competingSlotSeconds` counts node-slots where a capacity or an exclusive rule is broken, plus link-slots
 * where the runs behind a shared link send more than it carries;
 * `violations` counts selector, pin, affinity, anti-affinity, spread and allowed-phase breaches.
 * Each rule's definition comes from its module under rules/ (pure functions over specs and numbers);
 * nothing here reads the engine's node state, slots or indexes.
 */
import { InputError } from '@nmaas/sdk/kit';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { missingAffinity } from './rules/affinity.js';
import { antiAffinityConflict } from './rules/anti-affinity.js';
import { overCapacity } from './rules/capacity.js';
import { exclusiveClash } from './rules/exclusive.js';
import { checkLinks } from './rules/link.js';
import { pinnedElsewhere } from './rules/pin.js';
import { selectorMismatches } from './rules/selector.js';
import { sameSpreadGroup } from './rules/spread.js';
import { isAllowedPhase } from './rules/start-window.js';
import { formatSlot } from './time.js';

export type ProblemKind =
  | 'capacity'
  | 'link'
  | 'exclusive'
  | 'selector'
  | 'pinned'
  | 'affinity'
  | 'anti-affinity'
  | 'spread'
  | 'phase'
  | 'unknown-node'
  | 'unknown-instance'
  | 'duplicate';

export interface CheckProblem {
  kind: ProblemKind;
  message: string;
}

export interface CheckReport {
  placed: number;
  competingSlotSeconds: number;
  /** Of competingSlotSeconds, the link-slots over a shared link's capacity (0 when no node declares a link). */
  linkSlotSeconds: number;
  violations: number;
  problems: CheckProblem[];
}

const RES = ['cpu', 'memory', 'bandwidth'] as const;

/** Most run starts and ends the checker sweeps on one node; a longer cycle is refused, not half-checked. */
export const MAX_SWEEP_EVENTS = 4_000_000;

/**
 * The placement's cycle on a node is too long to check exactly (periods with an absurd common multiple):
 * the input was read but cannot be judged, exit code 1 in a command.
 */
export class CheckCycleError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckCycleError';
  }
}

export function checkPlacement(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  placed: { id: string; node: string; phase: number }[],
): CheckReport {
  const H = apps.horizon;
  const problems: CheckProblem[] = [];
  let violations = 0;
  const violate = (kind: ProblemKind, message: string): void => {
    violations++;
    problems.push({ kind, message });
  };
  const specs = new Map(apps.instances.map((i) => [i.id, i]));
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const seen = new Set<string>();
  const onNode = new Map<string, { spec: InstanceSpec; phase: number }[]>();
  for (const p of placed) {
    const spec = specs.get(p.id);
    if (!spec) {
      violate('unknown-instance', `${p.id}: not an instance of apps.json`);
      continue;
    }
    if (seen.has(p.id)) {
      violate('duplicate', `${p.id}: placed more than once`);
      continue;
    }
    seen.add(p.id);
    const node = nodeByName.get(p.node);
    if (!node) {
      violate('unknown-node', `${p.id}: node ${p.node} is not in nodes.json`);
      continue;
    }
    if (!isAllowedPhase(p.phase, spec.every, spec.startWithin, spec.release)) {
      violate(
        'phase',
        `${p.id}: phase ${p.phase} is not allowed (release ${spec.release}, startWithin ${spec.startWithin}, every ${spec.every})`,
      );
    }
    if (pinnedElsewhere(spec, p.node)) violate('pinned', `${p.id}: pinned to ${spec.node} but placed on ${p.node}`);
    for (const label of selectorMismatches(node.labels, spec.nodeSelector))
      violate('selector', `${p.id}: node ${p.node} lacks label ${label}`);
    let list = onNode.get(p.node);
    if (!list) onNode.set(p.node, (list = []));
    list.push({ spec, phase: Number.isInteger(p.phase) ? p.phase : Math.round(p.phase) });
  }
  let competing = 0;
  for (const [name, list] of onNode) {
    const node = nodeByName.get(name)!;
    // Placement rules between instances sharing the node.
    for (const a of list) {
      const others = list.filter((b) => b !== a).map((b) => b.spec);
      for (const app of missingAffinity(a.spec, others))
        violate('affinity', `${a.spec.id}: node ${name} hosts no ${app} (affinity)`);
    }
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!.spec;
        const b = list[j]!.spec;
        if (antiAffinityConflict(a, b))
          violate('anti-affinity', `${a.id} and ${b.id} share node ${name} (anti-affinity)`);
        if (sameSpreadGroup(a, b))
          violate('spread', `${a.id} and ${b.id} share node ${name} (spread group ${a.spreadGroup})`);
      }
    }
    // Load over one cycle of the node's periods, swept from run start to run end (see sweepNode).
    const swept = sweepNode(name, node, list, H);
    competing += swept.competing;
    for (let r = 0; r < 3; r++) {
      if (swept.overCount[r]! > 0)
        problems.push({
          kind: 'capacity',
          message: `node ${name}: ${RES[r]} over capacity in ${swept.overCount[r]} slot(s), first at ${formatSlot(swept.firstOver[r]!)}`,
        });
    }
    if (swept.exclusiveSlots > 0)
      problems.push({
        kind: 'exclusive',
        message: `node ${name}: an exclusive instance shares ${swept.exclusiveSlots} active slot(s) with another run, first at ${formatSlot(swept.firstExclusive)}`,
      });
  }
  const links = checkLinks(nodes, onNode, H);
  competing += links.overSlots;
  for (const message of links.messages) problems.push({ kind: 'link', message });
  return { placed: seen.size, competingSlotSeconds: competing, linkSlotSeconds: links.overSlots, violations, problems };
}

interface Swept {
  competing: number;
  overCount: [number, number, number];
  firstOver: [number, number, number];
  exclusiveSlots: number;
  firstExclusive: number;
}

function gcdOf(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * One node's load from the definition, as a sweep over run edges: between two consecutive edges the set
 * of active instances is constant, so each stretch is judged once, weighted by its length in seconds.
 * A run that crosses the end of the cycle is split at it (the cycle repeats).
 */
function sweepNode(
  name: string,
  node: NodeSpec,
  list: { spec: InstanceSpec; phase: number }[],
  horizon: number,
): Swept {
  const out: Swept = {
    competing: 0,
    overCount: [0, 0, 0],
    firstOver: [-1, -1, -1],
    exclusiveSlots: 0,
    firstExclusive: -1,
  };
  if (list.length === 0) return out;
  let cycle = horizon;
  let edges = 0;
  for (const { spec } of list) {
    cycle = (cycle / gcdOf(cycle, spec.every)) * spec.every;
    if (!Number.isSafeInteger(cycle)) break;
  }
  if (Number.isSafeInteger(cycle)) for (const { spec } of list) edges += 2 * (cycle / spec.every) + 2;
  const n = list.length;
  if (!Number.isSafeInteger(cycle) || edges > MAX_SWEEP_EVENTS || (2 * cycle + 2) * n >= Number.MAX_SAFE_INTEGER) {
    const periods = [...new Set(list.map((p) => p.spec.every))].sort((a, b) => a - b);
    throw new CheckCycleError(
      `node ${name}: the periods placed on it (${periods.slice(0, 8).join(', ')}${periods.length > 8 ? ', …' : ''} s) ` +
        `repeat together only every ${Number.isSafeInteger(cycle) ? `${cycle} s` : 'more than 2^53 s'}; checking that cycle ` +
        `exactly takes more than ${MAX_SWEEP_EVENTS} run starts and ends. Use periods with a larger common divisor ` +
        '(whole minutes or hours), or check fewer instances per node',
    );
  }
  // Edge key: (time × 2 + kind) × n + instance; kind 0 = end, 1 = start, so at one instant ends come first
  // (runs are half-open [start, start + duration)). Sorted as numbers, no comparator.
  const keys = new Float64Array(edges);
  let k = 0;
  const push = (time: number, start: boolean, i: number): void => {
    keys[k++] = (time * 2 + (start ? 1 : 0)) * n + i;
  };
  let idleCpu = 0;
  let idleMemory = 0;
  list.forEach(({ spec, phase }, i) => {
    idleCpu += spec.idle.cpu;
    idleMemory += spec.idle.memory;
    const p = ((phase % spec.every) + spec.every) % spec.every;
    for (let t = p; t < cycle; t += spec.every) {
      const end = t + spec.duration;
      push(t, true, i);
      if (end <= cycle) push(end, false, i);
      else {
        push(cycle, false, i);
        push(0, true, i);
        push(end - cycle, false, i);
      }
    }
  });
  const sorted = keys.subarray(0, k).sort();
  const cap = [node.capacity.cpu, node.capacity.memory, node.capacity.bandwidth];
  const load: [number, number, number] = [idleCpu, idleMemory, 0];
  let active = 0;
  let activeExclusive = 0;
  let at = 0;
  const judge = (from: number, to: number): void => {
    if (to <= from) return;
    let bad = false;
    for (let r = 0; r < 3; r++) {
      if (overCapacity(load[r]!, cap[r]!)) {
        bad = true;
        out.overCount[r] = out.overCount[r]! + to - from;
        if (out.firstOver[r] === -1) out.firstOver[r] = from;
      }
    }
    if (exclusiveClash(active, activeExclusive)) {
      bad = true;
      out.exclusiveSlots += to - from;
      if (out.firstExclusive < 0) out.firstExclusive = from;
    }
    if (bad) out.competing += to - from;
  };
  for (let e = 0; e < sorted.length; e++) {
    const key = sorted[e]!;
    const i = key % n;
    const rest = (key - i) / n;
    const time = Math.floor(rest / 2);
    if (time > at) {
      judge(at, time);
      at = time;
    }
    const { spec } = list[i]!;
    const sign = rest % 2 === 1 ? 1 : -1;
    active += sign;
    if (spec.exclusive) activeExclusive += sign;
    load[0] += (spec.run.cpu - spec.idle.cpu) * sign;
    load[1] += (spec.run.memory - spec.idle.memory) * sign;
    load[2] += spec.run.bandwidth * sign;
  }
  judge(at, cycle);
  return out;
}
