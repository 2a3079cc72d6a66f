import { describe, expect, it } from 'vitest';
import { generateWorkload } from '../simulate/workload.js';
import { Random } from '../simulate/random.js';
import { checkPlacement } from './check.js';
import { Engine, type PlaceResult } from './engine.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { isActive } from './time.js';

function placedOf(engine: Engine) {
  return engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
}

/** The load of a node straight from the definition, for comparison with the engine's incremental state. */
function naiveProfile(horizon: number, specs: { spec: InstanceSpec; phase: number }[]) {
  const out = { cpu: [] as number[], memory: [] as number[], bandwidth: [] as number[], active: [] as number[] };
  for (let t = 0; t < horizon; t++) {
    let c = 0,
      m = 0,
      b = 0,
      a = 0;
    for (const { spec, phase } of specs) {
      if (isActive(t, spec.every, spec.duration, phase)) {
        c += spec.run.cpu;
        m += spec.run.memory;
        b += spec.run.bandwidth;
        a++;
      } else {
        c += spec.idle.cpu;
        m += spec.idle.memory;
      }
    }
    out.cpu.push(c);
    out.memory.push(m);
    out.bandwidth.push(b);
    out.active.push(a);
  }
  return out;
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('nmaas placements pass the independent checker (seeded)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: full scale, 40 nodes, 700 instances`, () => {
      const { nodes, apps } = generateWorkload({
        seed,
        nodes: 40,
        instances: 700,
        capacityFactor: 0.4,
        narrowStartShare: 0.2,
        pinnedShare: 0.05,
      });
      const engine = new Engine(nodes, { horizon: apps.horizon });
      let rejected = 0;
      for (const spec of apps.instances) if (!engine.place(spec).ok) rejected++;
      const report = checkPlacement(nodes, apps, placedOf(engine));
      expect(report.problems).toEqual([]);
      expect(report.competingSlotSeconds).toBe(0);
      expect(report.violations).toBe(0);
      expect(report.placed).toBeGreaterThan(300); // the workload is tight but most of it fits
      expect(rejected).toBe(apps.instances.length - report.placed);
    });
    it(`seed ${seed}: small scale with migrations`, () => {
      const { nodes, apps } = generateWorkload({ seed, nodes: 4, instances: 60, scale: 'small' });
      const engine = new Engine(nodes, { horizon: apps.horizon });
      const positions = new Map<string, { node: string; phase: number }>();
      for (const spec of apps.instances) {
        const r = engine.place(spec, { migrations: 3 });
        if (!r.ok) continue;
        expect(r.migrations.length).toBeLessThanOrEqual(3);
        for (const m of r.migrations) {
          // Every move is reported from where the instance really was, to where it now is.
          expect(positions.get(m.id)).toEqual(m.from);
          expect(engine.get(m.id)).toMatchObject(m.to);
          positions.set(m.id, m.to);
        }
        positions.set(spec.id, { node: r.node, phase: r.phase });
        // After every decision (moves included) the whole cluster still satisfies every rule.
        const report = checkPlacement(nodes, apps, placedOf(engine));
        expect(report.problems).toEqual([]);
      }
    });
  }
});

describe('readapt at work', () => {
  it('moves instances on tight seeded workloads (so the per-seed checks above are not vacuous), and every move keeps the rules', () => {
    let moves = 0;
    let extra = 0;
    for (const seed of SEEDS) {
      const { nodes, apps } = generateWorkload({ seed, nodes: 4, instances: 60, scale: 'small' });
      const plain = new Engine(nodes, { horizon: apps.horizon });
      const readapt = new Engine(nodes, { horizon: apps.horizon });
      for (const spec of apps.instances) {
        plain.place(spec);
        const r = readapt.place(spec, { migrations: 3 });
        if (r.ok) moves += r.migrations.length;
      }
      extra += readapt.bookings().length - plain.bookings().length;
      expect(checkPlacement(nodes, apps, placedOf(readapt)).problems).toEqual([]);
    }
    expect(moves).toBeGreaterThan(0);
    expect(extra).toBeGreaterThan(0);
  });

  it('full scale, tight: readapt places more and every placement still passes the checker', () => {
    const { nodes, apps } = generateWorkload({
      seed: 9,
      nodes: 30,
      instances: 900,
      capacityFactor: 0.3,
      narrowStartShare: 0.3,
    });
    const engine = new Engine(nodes, { horizon: apps.horizon });
    let moves = 0;
    for (const spec of apps.instances) {
      const r = engine.place(spec, { migrations: 2 });
      if (r.ok) moves += r.migrations.length;
    }
    const report = checkPlacement(nodes, apps, placedOf(engine));
    expect(report.problems).toEqual([]);
    expect(moves).toBeGreaterThan(0);
  });
});

describe('incremental occupancy', () => {
  it('matches the definition slot by slot, and removal frees exactly what was reserved', () => {
    const { nodes, apps } = generateWorkload({
      seed: 11,
      nodes: 6,
      instances: 120,
      capacityFactor: 0.6,
      narrowStartShare: 0.3,
    });
    const engine = new Engine(nodes, { horizon: apps.horizon });
    const profiles = () => Object.fromEntries(nodes.map((n) => [n.name, engine.loadProfile(n.name)]));
    const empty = profiles();
    const rnd = new Random(5);
    const before: Record<string, unknown>[] = [];
    for (const spec of apps.instances) {
      before.push(profiles());
      engine.place(spec);
    }
    const specs = new Map(apps.instances.map((s) => [s.id, s]));
    for (const n of nodes) {
      const here = engine.bookings(n.name).map((b) => ({ spec: specs.get(b.id)!, phase: b.phase }));
      const p = engine.loadProfile(n.name)!;
      const q = naiveProfile(apps.horizon, here);
      expect(p.active).toEqual(q.active);
      // The engine rounds demands up to whole units: never below the exact load, and within rounding above it.
      for (let t = 0; t < apps.horizon; t += 7) {
        expect(p.cpu[t]).toBeGreaterThanOrEqual(q.cpu[t]! - 1e-9);
        expect(p.cpu[t]! - q.cpu[t]!).toBeLessThan(here.length + 1e-9);
        expect(p.bandwidth[t]).toBeGreaterThanOrEqual(q.bandwidth[t]! - 1e-9);
      }
    }
    // Remove in random order; removing everything returns to the empty profile exactly.
    const ids = engine.bookings().map((b) => b.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    for (const id of ids) expect(engine.remove(id)?.id).toBe(id);
    expect(profiles()).toEqual(empty);
    expect(engine.snapshot().instances).toBe(0);
    // And remove-last undoes place-last exactly, at every step.
    for (const spec of apps.instances.slice(0, 40)) {
      const snap = profiles();
      const r = engine.place(spec);
      if (r.ok) {
        engine.remove(spec.id);
        expect(profiles()).toEqual(snap);
        engine.place(spec);
      }
    }
    expect(before.length).toBe(apps.instances.length);
  });

  it('rebuilds the same state from bookings (book) and refuses a conflicting one unless forced', () => {
    const { nodes, apps } = generateWorkload({ seed: 3, nodes: 8, instances: 150, capacityFactor: 0.5 });
    const a = new Engine(nodes, { horizon: apps.horizon });
    for (const spec of apps.instances) a.place(spec);
    const b = new Engine(nodes, { horizon: apps.horizon });
    const specs = new Map(apps.instances.map((s) => [s.id, s]));
    for (const x of a.bookings())
      expect(b.book(specs.get(x.id)!, { node: x.node, phase: x.phase })).toEqual({ ok: true, problems: [] });
    expect(b.snapshot()).toEqual(a.snapshot());
    // Booking a second exclusive run on top of a busy slot is refused with the reason, or recorded when forced.
    const busy = a.bookings()[0]!;
    const intruder: InstanceSpec = {
      ...specs.get(busy.id)!,
      id: 'intruder',
      exclusive: true,
      spreadGroup: null,
      antiAffinity: [],
      affinity: [],
    };
    const refused = b.book(intruder, { node: busy.node, phase: busy.phase });
    expect(refused.ok).toBe(false);
    expect(refused.problems.join(' ')).toMatch(/exclusive/);
    const forced = b.book(intruder, { node: busy.node, phase: busy.phase }, { force: true });
    expect(forced.ok).toBe(true);
    expect(forced.problems.length).toBeGreaterThan(0);
    expect(b.get('intruder')).toMatchObject({ node: busy.node, phase: busy.phase });
  });
});

const edge = (name: string, cap = { cpu: 2000, memory: 4096, bandwidth: 100 }): NodeSpec => ({
  name,
  labels: { 'nmaas.io/pool': 'edge' },
  capacity: cap,
});
const inst = (id: string, over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  id,
  app: id.replace(/-\d+$/, ''),
  every: 300,
  duration: 20,
  startWithin: 300,
  release: 0,
  run: { cpu: 250, memory: 128, bandwidth: 20 },
  idle: { cpu: 10, memory: 48 },
  nodeSelector: { 'nmaas.io/pool': 'edge' },
  affinity: [],
  antiAffinity: [],
  exclusive: false,
  node: null,
  spreadGroup: null,
  ...over,
});
const reason = (r: PlaceResult): string => (r.ok ? '' : r.reason);

describe('the model, rule by rule', () => {
  it('times phases so that bandwidth-heavy runs never overlap, and rejects with the closest node and who is busy when', () => {
    const engine = new Engine([edge('edge-1'), edge('edge-2')], { horizon: 600 });
    const results = [0, 1, 2, 3, 4, 5].map((k) =>
      engine.place(
        inst(`streaming-qos-${k}`, { every: 300, duration: 100, run: { cpu: 500, memory: 256, bandwidth: 60 } }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const phases = engine.bookings('edge-1').map((b) => b.phase);
    expect(phases.length).toBe(3); // three 100-s runs of 60 Mbps fit a 5-minute period on a 100 Mbps node, never overlapping
    // Fixed start, nothing free then: a precise, actionable message.
    const r = engine.place(
      inst('streaming-qos-9', {
        every: 300,
        duration: 100,
        startWithin: 0,
        release: phases[0]!,
        run: { cpu: 500, memory: 256, bandwidth: 60 },
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('capacity');
    expect(reason(r)).toMatch(
      /^no node in pool edge has 60 Mbps free for 100 s every 5 m starting at \d+:\d\d into each period; closest: edge-\d, busy \d+:\d\d–\d+:\d\d with streaming-qos-\d/,
    );
  });

  it('exclusive runs share their node with nobody while active', () => {
    const engine = new Engine([edge('edge-1')], { horizon: 300 });
    expect(engine.place(inst('ip-spoofing-detection-0', { every: 300, duration: 60, exclusive: true })).ok).toBe(true);
    for (let k = 0; k < 4; k++) expect(engine.place(inst(`web-qos-${k}`, { every: 300, duration: 10 })).ok).toBe(true);
    const r = engine.place(inst('web-qos-9', { every: 60, duration: 50 }));
    expect(r.ok).toBe(false);
    expect(reason(r)).toMatch(/no exclusive run/);
    const report = checkPlacement([edge('edge-1')], { horizon: 300, instances: [] }, []);
    expect(report.competingSlotSeconds).toBe(0);
  });

  it('affinity, symmetric anti-affinity, spread, selector and pin, each with its own reason', () => {
    const engine = new Engine(
      [
        edge('edge-1'),
        edge('edge-2'),
        {
          name: 'core-1',
          labels: { 'nmaas.io/pool': 'core' },
          capacity: { cpu: 8000, memory: 16384, bandwidth: 1000 },
        },
      ],
      { horizon: 3600 },
    );
    const aff = engine.place(inst('web-cartography-0', { every: 900, duration: 120, affinity: ['web-qos'] }));
    expect(aff).toMatchObject({ ok: false, code: 'affinity' });
    expect(reason(aff)).toMatch(/already hosts web-qos/);
    const w = engine.place(inst('web-qos-0'));
    expect(w.ok).toBe(true);
    const c = engine.place(inst('web-cartography-1', { every: 900, duration: 120, affinity: ['web-qos'] }));
    expect(c).toMatchObject({ ok: true, node: (w as { node: string }).node });
    // streaming refuses spoofing; spoofing does not list streaming: still kept apart (symmetric).
    expect(engine.place(inst('streaming-qos-0', { node: 'edge-1', antiAffinity: ['ip-spoofing-detection'] })).ok).toBe(
      true,
    );
    expect(engine.place(inst('streaming-qos-1', { node: 'edge-2', antiAffinity: ['ip-spoofing-detection'] })).ok).toBe(
      true,
    );
    const anti = engine.place(inst('ip-spoofing-detection-0', { exclusive: true, duration: 60, every: 3600 }));
    expect(anti).toMatchObject({ ok: false, code: 'anti-affinity' });
    expect(reason(anti)).toMatch(/refusing ip-spoofing-detection/);
    const s1 = engine.place(inst('x-0', { nodeSelector: { 'nmaas.io/pool': 'core' }, spreadGroup: 'g' }));
    expect(s1.ok).toBe(true);
    const s2 = engine.place(inst('x-1', { nodeSelector: { 'nmaas.io/pool': 'core' }, spreadGroup: 'g' }));
    expect(s2).toMatchObject({ ok: false, code: 'spread' });
    expect(engine.place(inst('y-0', { nodeSelector: { 'nmaas.io/pool': 'lab' } }))).toMatchObject({
      ok: false,
      code: 'no-node',
    });
    expect(reason(engine.place(inst('y-1', { node: 'ghost' })))).toMatch(/pinned to node ghost/);
    const pinned = engine.place(inst('y-2', { node: 'edge-2' }));
    expect(pinned).toMatchObject({ ok: true, node: 'edge-2' });
    expect(engine.place(inst('y-3', { every: 7 }))).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('phases stay within release + startWithin', () => {
    const engine = new Engine([edge('edge-1')], { horizon: 600 });
    for (let k = 0; k < 10; k++) {
      const r = engine.place(inst(`web-qos-${k}`, { every: 60, duration: 5, release: 50, startWithin: 20 }));
      expect(r.ok).toBe(true);
      if (r.ok) expect([...Array(21).keys()].map((d) => (50 + d) % 60)).toContain(r.phase);
    }
  });

  it('readapt moves a placed instance to make room, and reports the move', () => {
    const engine = new Engine(
      [
        edge('edge-1', { cpu: 1000, memory: 4096, bandwidth: 100 }),
        edge('edge-2', { cpu: 1000, memory: 4096, bandwidth: 100 }),
      ],
      { horizon: 60 },
    );
    // Two flexible instances land at phase 0 on each node...
    expect(
      engine.place(
        inst('a-0', { every: 60, duration: 30, startWithin: 59, run: { cpu: 600, memory: 10, bandwidth: 10 } }),
      ).ok,
    ).toBe(true);
    expect(
      engine.place(
        inst('a-1', { every: 60, duration: 30, startWithin: 59, run: { cpu: 600, memory: 10, bandwidth: 10 } }),
      ).ok,
    ).toBe(true);
    const fixed = inst('b-0', {
      every: 60,
      duration: 30,
      startWithin: 0,
      release: engine.get('a-0')!.phase,
      run: { cpu: 600, memory: 10, bandwidth: 10 },
      node: engine.get('a-0')!.node,
    });
    expect(engine.place(fixed).ok).toBe(false);
    const r = engine.place(fixed, { migrations: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.migrations).toHaveLength(1);
      expect(r.migrations[0]!.id).toBe('a-0');
    }
    const all = [engine.get('a-0')!, engine.get('a-1')!, engine.get('b-0')!].map((b) => ({
      id: b.id,
      node: b.node,
      phase: b.phase,
    }));
    const report = checkPlacement(
      [
        edge('edge-1', { cpu: 1000, memory: 4096, bandwidth: 100 }),
        edge('edge-2', { cpu: 1000, memory: 4096, bandwidth: 100 }),
      ],
      { horizon: 60, instances: [engine.get('a-0')!.instance, engine.get('a-1')!.instance, fixed] },
      all,
    );
    expect(report.problems).toEqual([]);
  });

  it('nodes come and go: removeNode hands back its bookings and frees them; snapshot describes each node', () => {
    const engine = new Engine([edge('edge-1')], { horizon: 300 });
    expect(engine.place(inst('web-qos-0')).ok).toBe(true);
    engine.addNode(edge('edge-2'));
    expect(() => engine.addNode(edge('edge-2'))).toThrow(/already known/);
    expect(engine.place(inst('web-qos-1', { node: 'edge-2' }))).toMatchObject({ ok: true, node: 'edge-2' });
    const snap = engine.snapshot();
    expect(snap.nodes.map((n) => [n.name, n.instances, n.apps])).toEqual([
      ['edge-1', 1, ['web-qos']],
      ['edge-2', 1, ['web-qos']],
    ]);
    expect(snap.nodes[0]!.peak).toEqual({ cpu: 250, memory: 128, bandwidth: 20 });
    expect(snap.nodes[0]!.busyFraction).toBeCloseTo(20 / 300);
    const gone = engine.removeNode('edge-1');
    expect(gone.map((b) => b.id)).toEqual(['web-qos-0']);
    expect(engine.has('web-qos-0')).toBe(false);
    expect(engine.snapshot().nodes.map((n) => n.name)).toEqual(['edge-2']);
    expect(engine.place(inst('web-qos-2', { node: 'edge-1' }))).toMatchObject({ ok: false, code: 'no-node' });
  });

  it('node churn leaves nothing behind: a replaced node keeps its bookings, the old one is let go', () => {
    const engine = new Engine([edge('edge-1'), edge('edge-2')], { horizon: 300 });
    expect(engine.place(inst('web-qos-0', { node: 'edge-1' })).ok).toBe(true);
    expect(engine.place(inst('web-qos-1', { node: 'edge-2' })).ok).toBe(true);
    const before = engine.held();
    for (let round = 0; round < 500; round++) {
      const kept = engine.removeNode('edge-1');
      engine.addNode(edge('edge-1'));
      for (const b of kept) expect(engine.book(b.instance, { node: b.node, phase: b.phase }).ok).toBe(true);
    }
    expect(engine.held()).toEqual(before);
    expect(
      engine
        .bookings()
        .map((b) => [b.id, b.node])
        .sort(),
    ).toEqual([
      ['web-qos-0', 'edge-1'],
      ['web-qos-1', 'edge-2'],
    ]);
    // The replaced node arrived last, so it now sorts after edge-2 among equals.
    expect(engine.snapshot().nodes.map((n) => n.name)).toEqual(['edge-2', 'edge-1']);
  });

  it('dry runs decide without booking', () => {
    const engine = new Engine([edge('edge-1')], { horizon: 300 });
    const r = engine.place(inst('web-qos-0'), { dryRun: true });
    expect(r.ok).toBe(true);
    expect(engine.has('web-qos-0')).toBe(false);
    expect(engine.snapshot().instances).toBe(0);
  });
});
