/**
 * Instance specs for the engine's and the simulator's tests: one place that spells every field, so a
 * new field of `InstanceSpec` is added once; and the brute-force optimum small plans are checked against.
 * Tests only (the import-direction test checks it).
 */
import { checkPlacement } from './check.js';
import { allowedPhases } from './rules/start-window.js';
import type { InstanceSpec, NodeSpec } from './instance.js';

/** A one-minute instance of app `<id without its -N suffix>`, with no rules; `over` sets the rest. */
export function instanceSpec(id: string, over: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id,
    app: id.replace(/-\d+$/, ''),
    every: 60,
    duration: 30,
    startWithin: 59,
    release: 0,
    run: { cpu: 100, memory: 10, bandwidth: 1 },
    idle: { cpu: 0, memory: 0 },
    nodeSelector: {},
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    node: null,
    spreadGroup: null,
    ...over,
  };
}

/** A six-second instance: a brute force over every phase of a few of them stays small. */
export function sixSecondSpec(id: string, over: Partial<InstanceSpec> = {}): InstanceSpec {
  return instanceSpec(id, { every: 6, duration: 2, startWithin: 5, ...over });
}

/** A node of `cpu` millicores with memory and bandwidth to spare, so cpu alone decides what fits. */
export function cpuNode(name: string, cpu: number, links?: NodeSpec['links']): NodeSpec {
  return { name, labels: {}, capacity: { cpu, memory: 1000, bandwidth: 1000 }, ...(links ? { links } : {}) };
}

/**
 * The most instances any plan places, by trying every assignment (unplaced, or any node × allowed phase)
 * and judging each with the independent checker: the reference the exact model is tested against on
 * pools small enough to enumerate.
 */
export function bruteForceOptimum(nodes: NodeSpec[], apps: { horizon: number; instances: InstanceSpec[] }): number {
  const options = apps.instances.map((s) => [
    null,
    ...nodes.flatMap((n) => allowedPhases(s.every, s.startWithin, s.release).map((phase) => ({ node: n.name, phase }))),
  ]);
  let best = 0;
  const chosen: ({ node: string; phase: number } | null)[] = [];
  const walk = (i: number, placed: number): void => {
    if (placed + (apps.instances.length - i) <= best) return;
    if (i === apps.instances.length) {
      const plan = chosen.flatMap((c, k) => (c ? [{ id: apps.instances[k]!.id, ...c }] : []));
      const report = checkPlacement(nodes, apps, plan);
      if (report.competingSlotSeconds === 0 && report.violations === 0) best = placed;
      return;
    }
    for (const o of options[i]!) {
      chosen[i] = o;
      walk(i + 1, placed + (o ? 1 : 0));
    }
    chosen.length = i;
  };
  walk(0, 0);
  return best;
}

/** Nodes of one capacity that all sit behind one shared link (a site's uplink). */
export function nodesBehindLink(
  names: string[],
  capacity: NodeSpec['capacity'],
  link: { name: string; capacity: number },
): NodeSpec[] {
  return names.map((name) => ({ name, labels: {}, capacity: { ...capacity }, links: [{ ...link }] }));
}
