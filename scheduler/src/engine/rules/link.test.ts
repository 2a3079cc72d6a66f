import { describe, expect, it } from 'vitest';
import { checkPlacement } from '../check.js';
import { parseNodes, UsageError } from '../codec.js';
import { Engine } from '../engine.js';
import type { NodeSpec } from '../instance.js';
import { instanceSpec } from '../testing.js';
import { generateWorkload } from '../../simulate/workload.js';

/** Two nodes behind one 1 Gbps uplink, each with 1 Gbps of its own: alone, either could take any run. */
function site(capacities: [number, number] = [1000, 1000]): NodeSpec[] {
  return ['edge-a', 'edge-b'].map((name, k) => ({
    name,
    labels: {},
    capacity: { cpu: 4000, memory: 4096, bandwidth: 1000 },
    links: [{ name: 'site-a', capacity: capacities[k]! }],
  }));
}

/** A 600 Mbps bandwidth test of 20 s every minute, free to start anywhere in the minute. */
const test = (id: string, over: Parameters<typeof instanceSpec>[1] = {}) =>
  instanceSpec(id, {
    every: 60,
    duration: 20,
    startWithin: 59,
    run: { cpu: 100, memory: 10, bandwidth: 600 },
    ...over,
  });

const overlaps = (a: number, b: number, duration: number, every: number): boolean =>
  (b - a + every) % every < duration || (a - b + every) % every < duration;

describe('shared links', () => {
  it('places two 600 Mbps runs on two nodes behind a 1 Gbps link in different phases', () => {
    const engine = new Engine(site(), { horizon: 60 });
    const a = engine.place(test('bw-0', { node: 'edge-a' }));
    const b = engine.place(test('bw-1', { node: 'edge-b' }));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.node).toBe('edge-a');
    expect(b.node).toBe('edge-b');
    expect(overlaps(a.phase, b.phase, 20, 60)).toBe(false);
    const report = checkPlacement(site(), { horizon: 60, instances: [test('bw-0'), test('bw-1')] }, [
      { id: 'bw-0', node: a.node, phase: a.phase },
      { id: 'bw-1', node: b.node, phase: b.phase },
    ]);
    expect(report.competingSlotSeconds).toBe(0);
  });

  it('without the link the same two runs would share the slot (the link is what staggers them)', () => {
    const bare = site().map(({ links: _links, ...n }) => n);
    const engine = new Engine(bare, { horizon: 60 });
    const a = engine.place(test('bw-0', { node: 'edge-a' }));
    const b = engine.place(test('bw-1', { node: 'edge-b' }));
    expect(a.ok && b.ok && a.phase === b.phase).toBe(true);
  });

  it('refuses a third run when no phase is free on the link, naming the link and its load', () => {
    const engine = new Engine(site(), { horizon: 60 });
    for (let k = 0; k < 3; k++) expect(engine.place(test(`bw-${k}`)).ok).toBe(true);
    const r = engine.place(test('bw-3'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('capacity');
    expect(r.refusal.code === 'capacity' && r.refusal.rule).toBe('link');
    expect(r.reason).toMatch(/link site-a is full at that time: 600 Mbps on 1 Gbps/);
    expect(r.reason).toMatch(/[12] node\(s\) would take it but sit behind full links; closest: edge-/);
  });

  it('counts runs of several sizes in the refusal ("2 × 400 Mbps on 1 Gbps")', () => {
    const engine = new Engine(site(), { horizon: 60 });
    const wide = (id: string, node: string) =>
      test(id, { node, duration: 60, startWithin: 0, run: { cpu: 100, memory: 10, bandwidth: 400 } });
    expect(engine.place(wide('w-0', 'edge-a')).ok).toBe(true);
    expect(engine.place(wide('w-1', 'edge-b')).ok).toBe(true);
    const r = engine.place(test('bw-0', { node: 'edge-a', run: { cpu: 100, memory: 10, bandwidth: 300 } }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('link site-a is full at that time: 2 × 400 Mbps on 1 Gbps');
  });

  it('frees the link when a run leaves, and drops the link with its last node', () => {
    const engine = new Engine(site(), { horizon: 60 });
    for (let k = 0; k < 3; k++) engine.place(test(`bw-${k}`));
    expect(engine.place(test('bw-3'), { dryRun: true }).ok).toBe(false);
    engine.remove('bw-1');
    expect(engine.place(test('bw-3')).ok).toBe(true);
    expect(engine.snapshot().links.map((l) => l.name)).toEqual(['site-a']);
    engine.removeNode('edge-a');
    engine.removeNode('edge-b');
    expect(engine.snapshot().links).toEqual([]);
  });

  it('uses the smallest of two conflicting declarations and reports the conflict', () => {
    const engine = new Engine(site([1000, 600]), { horizon: 60 });
    expect(engine.linkConflict('site-a')).toEqual([
      { node: 'edge-b', mbps: 600 },
      { node: 'edge-a', mbps: 1000 },
    ]);
    expect(engine.place(test('bw-0')).ok).toBe(true);
    // 600 + 600 would fit 1 Gbps but not 600 Mbps: the second run needs another time.
    const r = engine.place(test('bw-1', { startWithin: 0 }));
    expect(r.ok).toBe(false);
    expect(engine.snapshot().links[0]).toMatchObject({ capacity: 600, nodes: ['edge-a', 'edge-b'], bookings: 1 });
  });

  it('a node joining with a smaller capacity, or leaving, changes what fits behind the link at once', () => {
    const engine = new Engine([site()[0]!], { horizon: 60 });
    expect(engine.place(test('bw-0', { node: 'edge-a' })).ok).toBe(true);
    expect(engine.place(test('bw-1', { node: 'edge-a' }), { dryRun: true }).ok).toBe(true);
    engine.addNode({ ...site()[1]!, links: [{ name: 'site-a', capacity: 500 }] });
    const r = engine.place(test('bw-1', { node: 'edge-a' }), { dryRun: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('link site-a is smaller than one run: 500 Mbps');
    engine.removeNode('edge-b');
    expect(engine.place(test('bw-1', { node: 'edge-a' })).ok).toBe(true);
  });

  it('book() reports a booking that over-books a link', () => {
    const engine = new Engine(site(), { horizon: 60 });
    expect(engine.book(test('bw-0'), { node: 'edge-a', phase: 0 }).ok).toBe(true);
    const r = engine.book(test('bw-1'), { node: 'edge-b', phase: 10 });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['10 active slot(s) would exceed the capacity of link site-a']);
  });

  it('the checker counts a hand-made link over-booking as competing slot-seconds', () => {
    const instances = [test('bw-0'), test('bw-1')];
    const placed = [
      { id: 'bw-0', node: 'edge-a', phase: 0 },
      { id: 'bw-1', node: 'edge-b', phase: 5 },
    ];
    const report = checkPlacement(site(), { horizon: 60, instances }, placed);
    expect(report.competingSlotSeconds).toBe(15);
    expect(report.problems).toEqual([
      {
        kind: 'link',
        message: 'link site-a: bandwidth over capacity in 15 slot(s), first at 0:05 (up to 1200 Mbps on 1 Gbps)',
      },
    ]);
    const apart = checkPlacement(site(), { horizon: 60, instances }, [placed[0]!, { ...placed[1]!, phase: 20 }]);
    expect(apart.competingSlotSeconds).toBe(0);
  });

  it('placements on seeded sites pass the checker', () => {
    const nodes: NodeSpec[] = [];
    for (let s = 0; s < 3; s++)
      for (let k = 0; k < 4; k++)
        nodes.push({
          name: `s${s}-n${k}`,
          labels: {},
          capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
          links: [{ name: `site-${s}`, capacity: 1000 }, ...(s < 2 ? [{ name: 'metro', capacity: 1500 }] : [])],
        });
    const engine = new Engine(nodes, { horizon: 300 });
    const instances = [];
    for (let k = 0; k < 80; k++) {
      const spec = instanceSpec(`m-${k}`, {
        app: `app-${k % 5}`,
        every: [60, 100, 300][k % 3]!,
        duration: 10 + (k % 7) * 5,
        startWithin: 299,
        run: { cpu: 200, memory: 64, bandwidth: 100 + (k % 4) * 150 },
      });
      spec.startWithin = spec.every - 1;
      instances.push(spec);
      engine.place(spec, { migrations: 2 });
    }
    const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    expect(placed.length).toBeGreaterThan(20);
    const report = checkPlacement(nodes, { horizon: 300, instances }, placed);
    expect(report.problems).toEqual([]);
    expect(report.competingSlotSeconds).toBe(0);
  });
});

describe('link refusals are true', () => {
  it('at every allowed phase of the closest node, the refused run would over-book its link', () => {
    const nodes: NodeSpec[] = [0, 1, 2, 3].map((k) => ({
      name: `n${k}`,
      labels: {},
      capacity: { cpu: 8000, memory: 8192, bandwidth: 1000 },
      links: [{ name: `site-${k >> 1}`, capacity: 1000 }, ...(k < 3 ? [{ name: 'metro', capacity: 1500 }] : [])],
    }));
    const instances = Array.from({ length: 60 }, (_, k) => {
      const every = [30, 60, 120][k % 3]!;
      return instanceSpec(`m-${k}`, {
        every,
        duration: 5 + ((k * 7) % 21),
        startWithin: every - 1,
        run: { cpu: 100, memory: 10, bandwidth: 100 + ((k * 150) % 600) },
      });
    });
    const apps = { horizon: 120, instances };
    const engine = new Engine(nodes, { horizon: 120 });
    let linkRefusals = 0;
    for (const spec of instances) {
      const r = engine.place(spec);
      if (r.ok) continue;
      const refusal = r.refusal;
      if (refusal.code !== 'capacity' || refusal.kind !== 'link') continue;
      linkRefusals++;
      const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
      expect(checkPlacement(nodes, apps, placed).competingSlotSeconds).toBe(0);
      for (let phase = 0; phase < spec.every; phase++) {
        const report = checkPlacement(nodes, apps, [...placed, { id: spec.id, node: refusal.closest.node, phase }]);
        expect(report.competingSlotSeconds, `${spec.id} at ${phase} on ${refusal.closest.node}`).toBeGreaterThan(0);
      }
      if (linkRefusals === 8) break;
    }
    expect(linkRefusals).toBeGreaterThan(3);
  });
});

describe('generated sites sharing uplinks', () => {
  it('the engine keeps every uplink within capacity; the same plan without the links would over-book them', () => {
    const options = { seed: 3, nodes: 12, instances: 240, siteSize: 4, uplinkMbps: 300 };
    const sites = generateWorkload(options);
    const bare = generateWorkload({ ...options, siteSize: 0 });
    expect(sites.nodes.map((n) => n.links)).toContainEqual([{ name: 'site-2', capacity: 300 }]);
    expect(bare.apps).toEqual(sites.apps);
    const run = (nodes: NodeSpec[]) => {
      const engine = new Engine(nodes, { horizon: sites.apps.horizon });
      for (const spec of sites.apps.instances) engine.place(spec);
      return engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    };
    const withLinks = checkPlacement(sites.nodes, sites.apps, run(sites.nodes));
    expect(withLinks.problems.filter((p) => p.kind === 'link')).toEqual([]);
    expect(withLinks.competingSlotSeconds).toBe(0);
    const blind = checkPlacement(sites.nodes, sites.apps, run(bare.nodes));
    expect(blind.problems.filter((p) => p.kind === 'link').length).toBeGreaterThan(0);
  });
});

describe('nodes.json links', () => {
  const node = (links: unknown) => ({
    nodes: [{ name: 'edge-a', capacity: { cpu: 1000, memory: 1024, bandwidth: 1000 }, links }],
  });

  it('reads capacities as bandwidth strings or Mbps and round-trips through JSON', () => {
    const nodes = parseNodes(node({ 'site-a': '1Gbps', metro: 400 }));
    expect(nodes[0]!.links).toEqual([
      { name: 'metro', capacity: 400 },
      { name: 'site-a', capacity: 1000 },
    ]);
    expect(parseNodes(JSON.parse(JSON.stringify({ nodes: nodes.map(asJson) })))).toEqual(nodes);
    // The engine's own form, as JSON.stringify writes a NodeSpec, reads back as it was.
    expect(parseNodes(JSON.parse(JSON.stringify({ nodes })))).toEqual(nodes);
    expect(parseNodes(node(undefined))[0]!.links).toBeUndefined();
  });

  it('refuses an unknown capacity format, a bad link name and a non-object, saying how to fix it', () => {
    expect(() => parseNodes(node({ 'site-a': '1 gigabit' }))).toThrow(UsageError);
    expect(() => parseNodes(node({ 'site-a': '1 gigabit' }))).toThrow(
      'nodes.json: nodes[0] (edge-a).links.site-a: capacity "1 gigabit" is not a bandwidth; write "1Gbps", "600Mbps" or a number of Mbps above 0',
    );
    expect(() => parseNodes(node({ 'site-a': 0 }))).toThrow(/is not a bandwidth/);
    expect(() => parseNodes(node({ 'Site A': '1Gbps' }))).toThrow(/link name "Site A" must be a DNS-1123 label/);
    expect(() => parseNodes(node('site-a'))).toThrow(/"links" must be an object of link: capacity/);
    expect(() => parseNodes(node(['site-a']))).toThrow(/links\[0\]: must be \{"name":"site-a","capacity":1000\}/);
    expect(() =>
      parseNodes(
        node([
          { name: 'a', capacity: 1 },
          { name: 'a', capacity: 2 },
        ]),
      ),
    ).toThrow(/declared twice/);
  });

  it('folds periods beyond the horizon: a daily run and an hourly one behind one link never send at once', () => {
    const hourly = test('hourly-0', { every: 3600, duration: 60, startWithin: 3599, node: 'edge-a' });
    const daily = test('daily-0', { every: 86400, duration: 60, startWithin: 86399, node: 'edge-b' });
    const engine = new Engine(site(), { horizon: 3600 });
    const a = engine.place(hourly);
    const b = engine.place(daily);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    // The daily run meets the hourly one in the hour it falls in: apart modulo the hour, or they collide.
    expect(overlaps(a.phase % 3600, b.phase % 3600, 60, 3600)).toBe(false);
    const apps = { horizon: 3600, instances: [hourly, daily] };
    expect(
      checkPlacement(site(), apps, [
        { id: 'hourly-0', node: a.node, phase: a.phase },
        { id: 'daily-0', node: b.node, phase: b.phase },
      ]).competingSlotSeconds,
    ).toBe(0);
    // The checker sweeps the whole day: a daily run at 2:00 meets the hourly run at :00 once a day.
    const clash = checkPlacement(site(), apps, [
      { id: 'hourly-0', node: 'edge-a', phase: 0 },
      { id: 'daily-0', node: 'edge-b', phase: 7200 },
    ]);
    expect(clash.competingSlotSeconds).toBe(60);
    expect(clash.problems.map((p) => p.kind)).toContain('link');
  });
});

/** A node spec as nodes.json writes it: links as an object of name → Mbps. */
function asJson(n: NodeSpec): unknown {
  const { links, ...rest } = n;
  return links ? { ...rest, links: Object.fromEntries(links.map((l) => [l.name, l.capacity])) } : rest;
}
