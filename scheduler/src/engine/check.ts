/**
 * The independent checker: recomputes every node's load slot by slot straight from the issue's
 * definitions (no engine data structure, no integer units), so it can judge any placement — ours or a
 * baseline's. `competingSlotSeconds` counts node-slots where a capacity or an exclusive rule is broken,
 * plus link-slots where the runs behind a shared link send more than it carries;
 * `violations` counts selector, pin, affinity, anti-affinity, spread and allowed-phase breaches.
 * Each rule's definition comes from its module under rules/ (pure functions over specs and numbers);
 * nothing here reads the engine's node state, slots or indexes.
 */
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
  violations: number;
  problems: CheckProblem[];
}

const RES = ['cpu', 'memory', 'bandwidth'] as const;

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
    // Load, slot by slot, from the definition.
    const cap = [node.capacity.cpu, node.capacity.memory, node.capacity.bandwidth];
    const firstOver = [-1, -1, -1];
    const overCount = [0, 0, 0];
    let exclusiveSlots = 0;
    let firstExclusive = -1;
    for (let t = 0; t < H; t++) {
      const load: [number, number, number] = [0, 0, 0];
      let active = 0;
      let activeExclusive = 0;
      for (const { spec, phase } of list) {
        const on = (((t - phase) % spec.every) + spec.every) % spec.every < spec.duration;
        if (on) {
          active++;
          if (spec.exclusive) activeExclusive++;
          load[0] += spec.run.cpu;
          load[1] += spec.run.memory;
          load[2] += spec.run.bandwidth;
        } else {
          load[0] += spec.idle.cpu;
          load[1] += spec.idle.memory;
        }
      }
      let bad = false;
      for (let r = 0; r < 3; r++) {
        if (overCapacity(load[r]!, cap[r]!)) {
          bad = true;
          overCount[r]!++;
          if (firstOver[r] === -1) firstOver[r] = t;
        }
      }
      if (exclusiveClash(active, activeExclusive)) {
        bad = true;
        exclusiveSlots++;
        if (firstExclusive < 0) firstExclusive = t;
      }
      if (bad) competing++;
    }
    for (let r = 0; r < 3; r++) {
      if (overCount[r]! > 0)
        problems.push({
          kind: 'capacity',
          message: `node ${name}: ${RES[r]} over capacity in ${overCount[r]} slot(s), first at ${formatSlot(firstOver[r]!)}`,
        });
    }
    if (exclusiveSlots > 0)
      problems.push({
        kind: 'exclusive',
        message: `node ${name}: an exclusive instance shares ${exclusiveSlots} active slot(s) with another run, first at ${formatSlot(firstExclusive)}`,
      });
  }
  const links = checkLinks(nodes, onNode, H);
  competing += links.overSlots;
  for (const message of links.messages) problems.push({ kind: 'link', message });
  return { placed: seen.size, competingSlotSeconds: competing, violations, problems };
}
