import { describe, expect, it } from 'vitest';
import { checkPlacement, CheckCycleError } from './check.js';
import { Engine } from './engine.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { isAllowedPhase } from './rules/start-window.js';
import { runsMeet } from './rules/exclusive.js';
import { instanceSpec } from './testing.js';

const DAY = 86400;
const node = (name: string, cpu = 4000, bandwidth = 1000): NodeSpec => ({
  name,
  labels: {},
  capacity: { cpu, memory: 8192, bandwidth },
});

/** Deterministic pseudo-random numbers (a test must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The definition, second by second over a given cycle: what the sweep must agree with on small cases. */
function bruteCompeting(n: NodeSpec, list: { spec: InstanceSpec; phase: number }[], cycle: number): number {
  let competing = 0;
  for (let t = 0; t < cycle; t++) {
    let cpu = 0;
    let memory = 0;
    let bandwidth = 0;
    let active = 0;
    let exclusive = 0;
    for (const { spec, phase } of list) {
      if ((((t - phase) % spec.every) + spec.every) % spec.every < spec.duration) {
        active++;
        if (spec.exclusive) exclusive++;
        cpu += spec.run.cpu;
        memory += spec.run.memory;
        bandwidth += spec.run.bandwidth;
      } else {
        cpu += spec.idle.cpu;
        memory += spec.idle.memory;
      }
    }
    const over =
      cpu > n.capacity.cpu + 1e-9 || memory > n.capacity.memory + 1e-9 || bandwidth > n.capacity.bandwidth + 1e-9;
    if (over || (exclusive > 0 && active > 1)) competing++;
  }
  return competing;
}

function placeAll(engine: Engine, specs: InstanceSpec[]): { id: string; node: string; phase: number }[] {
  const placed: { id: string; node: string; phase: number }[] = [];
  for (const s of specs) {
    const r = engine.place(s);
    if (r.ok) placed.push({ id: s.id, node: r.node, phase: r.phase });
  }
  return placed;
}

describe('periods that do not divide the hour', () => {
  it('places a daily app and a 7-minute app beside hourly and 5-minute ones on one node, 0 competing seconds', () => {
    const engine = new Engine([node('edge-1', 1000)]);
    const specs = [
      instanceSpec('daily-0', {
        every: DAY,
        duration: 600,
        startWithin: DAY - 1,
        run: { cpu: 600, memory: 64, bandwidth: 10 },
      }),
      instanceSpec('seven-0', {
        every: 420,
        duration: 20,
        startWithin: 419,
        run: { cpu: 300, memory: 32, bandwidth: 5 },
      }),
      instanceSpec('hourly-0', {
        every: 3600,
        duration: 900,
        startWithin: 3599,
        run: { cpu: 500, memory: 64, bandwidth: 50 },
      }),
      instanceSpec('five-0', {
        every: 300,
        duration: 30,
        startWithin: 299,
        run: { cpu: 200, memory: 16, bandwidth: 5 },
      }),
      instanceSpec('five-1', {
        every: 300,
        duration: 30,
        startWithin: 299,
        run: { cpu: 200, memory: 16, bandwidth: 5 },
      }),
    ];
    const placed = placeAll(engine, specs);
    expect(placed.map((p) => p.id)).toEqual(specs.map((s) => s.id));
    const daily = placed.find((p) => p.id === 'daily-0')!;
    expect(daily.phase).toBeGreaterThanOrEqual(0);
    expect(daily.phase).toBeLessThan(DAY);
    const report = checkPlacement([node('edge-1', 1000)], { horizon: 3600, instances: specs }, placed);
    expect(report).toMatchObject({ placed: 5, competingSlotSeconds: 0, violations: 0 });
    // Memory per node does not grow with the period: one hour of slots, as for hourly apps alone.
    expect(engine.held().slotBytes).toBe(3600 * 16);
  });

  it('never over-books with long and short periods mixed, booked and released at random (checker: 0 competing seconds)', () => {
    const periods = [60, 300, 420, 600, 900, 1800, 3600, 5400, 7200, 21600, DAY];
    const nodes = [node('a', 1500, 300), node('b', 1200, 200), node('c', 900, 300)];
    for (let seed = 1; seed <= 6; seed++) {
      const rand = rng(seed);
      const engine = new Engine(nodes);
      const live = new Map<string, InstanceSpec>();
      let placedCount = 0;
      for (let k = 0; k < 70; k++) {
        if (live.size > 0 && rand() < 0.2) {
          const ids = [...live.keys()];
          const id = ids[Math.floor(rand() * ids.length)]!;
          engine.remove(id);
          live.delete(id);
          continue;
        }
        const every = periods[Math.floor(rand() * periods.length)]!;
        const duration = 1 + Math.floor(rand() * Math.min(every, 1200) * 0.6);
        const spec = instanceSpec(`app${k % 9}-${k}`, {
          every,
          duration,
          startWithin: Math.floor(rand() * every),
          release: Math.floor(rand() * every),
          run: { cpu: 100 + Math.floor(rand() * 600), memory: 10, bandwidth: Math.floor(rand() * 150) },
          idle: { cpu: rand() < 0.3 ? 50 : 0, memory: 0 },
          exclusive: rand() < 0.15,
        });
        const r = engine.place(spec);
        if (r.ok) {
          live.set(spec.id, spec);
          placedCount++;
        }
      }
      const plan = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
      const report = checkPlacement(nodes, { horizon: 3600, instances: [...live.values()] }, plan);
      expect(report.problems).toEqual([]);
      expect(report.competingSlotSeconds).toBe(0);
      expect(placedCount).toBeGreaterThan(20);
    }
  });

  it('holds the start window from any arrival: the first run of a daily app starts within startWithin', () => {
    const rand = rng(7);
    const engine = new Engine([node('a'), node('b')]);
    engine.place(
      instanceSpec('hourly-0', {
        every: 3600,
        duration: 1800,
        startWithin: 0,
        run: { cpu: 3500, memory: 10, bandwidth: 1 },
      }),
    );
    for (let k = 0; k < 40; k++) {
      const arrival = Math.floor(rand() * 10 * DAY);
      const spec = instanceSpec(`daily-${k}`, {
        every: DAY,
        duration: 600,
        startWithin: 900,
        release: arrival % DAY,
        run: { cpu: 400, memory: 10, bandwidth: 1 },
      });
      const r = engine.place(spec);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(isAllowedPhase(r.phase, DAY, 900, arrival % DAY)).toBe(true);
      // The first run at or after the arrival: Unix-aligned day start + phase.
      const dayStart = arrival - (arrival % DAY);
      const first = dayStart + r.phase >= arrival ? dayStart + r.phase : dayStart + DAY + r.phase;
      expect(first - arrival).toBeLessThanOrEqual(900);
      expect(first - arrival).toBeGreaterThanOrEqual(0);
    }
  });

  it('interleaves a daily exclusive run with an hourly exclusive one, and keeps two daily runs at different hours', () => {
    const nodes = [node('only')];
    const engine = new Engine(nodes);
    const hourly = instanceSpec('hourly-0', { every: 3600, duration: 3000, startWithin: 0, exclusive: true });
    // Windows that overlap on the first free stretch: the second must take the next hour's.
    const dailyA = instanceSpec('carto-0', { every: DAY, duration: 600, startWithin: 3599, exclusive: true });
    const dailyB = instanceSpec('trace-0', { every: DAY, duration: 600, startWithin: 7199, exclusive: true });
    const dailyC = instanceSpec('scan-0', {
      every: DAY,
      duration: 600,
      startWithin: DAY - 1,
      release: 7200,
      exclusive: true,
    });
    const plan = placeAll(engine, [hourly, dailyA, dailyB, dailyC]);
    expect(plan.map((p) => p.id)).toEqual(['hourly-0', 'carto-0', 'trace-0', 'scan-0']);
    // The only free 10 minutes of every hour: 50:00–60:00.
    for (const p of plan.slice(1)) expect(p.phase % 3600).toBe(3000);
    // Exclusive daily runs at distinct hours never meet.
    const phases = plan.slice(1).map((p) => p.phase);
    expect(phases.slice(0, 2)).toEqual([3000, 6600]);
    expect(new Set(phases).size).toBe(3);
    const report = checkPlacement(nodes, { horizon: 3600, instances: [hourly, dailyA, dailyB, dailyC] }, plan);
    expect(report).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    // Its only free stretch in the first hour is carto-0's: refused, not booked on top of it.
    const probe = engine.place(
      instanceSpec('probe-0', { every: DAY, duration: 600, startWithin: 3599, exclusive: true }),
    );
    expect(probe.ok).toBe(false);
    // A 7-minute run meets every minute of the hour in some cycle (gcd 60 s): no room beside the exclusive hourly.
    const seven = engine.place(instanceSpec('seven-0', { every: 420, duration: 10, startWithin: 419 }));
    expect(seven.ok).toBe(false);
    // book() checks a folded booking pairwise: the same hour-phase on the same day clashes.
    const clash = engine.book(
      instanceSpec('daily-9', { every: DAY, duration: 600, startWithin: DAY - 1, exclusive: true }),
      {
        node: 'only',
        phase: plan[1]!.phase + 60,
      },
    );
    expect(clash.ok).toBe(false);
    expect(clash.problems.join('\n')).toMatch(/carto-0/);
  });

  it('counts day periods at different hours as what they are: 24+ daily runs of 90 % cpu share one node', () => {
    const nodes = [node('only', 1000)];
    const engine = new Engine(nodes);
    const dailies = Array.from({ length: 30 }, (_, k) =>
      instanceSpec(`d${k}-0`, {
        every: DAY,
        duration: 3000,
        startWithin: DAY - 1,
        run: { cpu: 900, memory: 10, bandwidth: 1 },
      }),
    );
    const sixHourly = instanceSpec('six-0', {
      every: 21600,
      duration: 600,
      startWithin: 21599,
      run: { cpu: 100, memory: 10, bandwidth: 1 },
    });
    // A 5-minute app beside them must not run where a daily run does: a daily run is at :00–:50 of some hour.
    const five = instanceSpec('five-0', {
      every: 300,
      duration: 30,
      startWithin: 299,
      run: { cpu: 200, memory: 10, bandwidth: 1 },
    });
    const specs = [...dailies.slice(0, 12), sixHourly, ...dailies.slice(12), five];
    const plan = placeAll(engine, specs);
    const ids = new Set(plan.map((p) => p.id));
    // 50-minute runs of 900 m: at most 28 fit in a day (folded onto the hour, only one would); the
    // 6-hourly one fits beside them (100 + 900 ≤ 1000).
    const placedDailies = dailies.filter((d) => ids.has(d.id)).length;
    expect(placedDailies).toBeGreaterThanOrEqual(24);
    expect(placedDailies).toBeLessThanOrEqual(28);
    expect(ids.has('six-0')).toBe(true);
    expect(ids.has('five-0')).toBe(false);
    const report = checkPlacement(nodes, { horizon: 3600, instances: specs }, plan);
    expect(report).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    // Releasing them gives the node back whole: a run of the full capacity fits again.
    for (const p of plan) engine.remove(p.id);
    const full = engine.place(
      instanceSpec('full-0', { every: 60, duration: 60, startWithin: 0, run: { cpu: 1000, memory: 10, bandwidth: 1 } }),
    );
    expect(full.ok).toBe(true);
  });

  it('refuses periods beyond one day, naming the limit', () => {
    const engine = new Engine([node('a')]);
    const r = engine.place(instanceSpec('weekly-0', { every: 7 * DAY, duration: 60, startWithin: 0 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/longer than one day \(86400 s\)/);
  });
});

describe('runsMeet (Korst et al.)', () => {
  it('agrees with walking the common cycle', () => {
    const rand = rng(3);
    const periods = [6, 10, 14, 15, 21, 35];
    for (let k = 0; k < 400; k++) {
      const mk = () => {
        const every = periods[Math.floor(rand() * periods.length)]!;
        return { every, duration: 1 + Math.floor(rand() * every), phase: Math.floor(rand() * every) };
      };
      const a = mk();
      const b = mk();
      let meet = false;
      const L = (a.every * b.every) / gcdOf(a.every, b.every);
      for (let t = 0; t < L && !meet; t++) {
        const on = (x: typeof a) => (((t - x.phase) % x.every) + x.every) % x.every < x.duration;
        meet = on(a) && on(b);
      }
      expect(runsMeet(a, b)).toBe(meet);
    }
  });
});

describe('checker over long cycles', () => {
  it('matches the second-by-second definition over the lcm of the periods', () => {
    const rand = rng(11);
    const n = node('x', 500, 100);
    const periods = [60, 420, 900, 3600, 5400];
    for (let round = 0; round < 8; round++) {
      const list = Array.from({ length: 5 }, (_, k) => {
        const every = periods[Math.floor(rand() * periods.length)]!;
        return {
          spec: instanceSpec(`a${k}-${k}`, {
            every,
            duration: 1 + Math.floor(rand() * every * 0.4),
            startWithin: every - 1,
            run: { cpu: 50 + Math.floor(rand() * 300), memory: 10, bandwidth: Math.floor(rand() * 60) },
            idle: { cpu: rand() < 0.5 ? 20 : 0, memory: 0 },
            exclusive: rand() < 0.2,
          }),
          phase: Math.floor(rand() * every),
        };
      });
      // lcm(3600, 420, 5400, …) = 75,600 s at most here.
      let cycle = 3600;
      for (const { spec } of list) cycle = (cycle / gcdOf(cycle, spec.every)) * spec.every;
      const report = checkPlacement(
        [n],
        { horizon: 3600, instances: list.map((l) => l.spec) },
        list.map((l) => ({ id: l.spec.id, node: 'x', phase: l.phase })),
      );
      expect(report.competingSlotSeconds).toBe(bruteCompeting(n, list, cycle));
    }
  });

  it('refuses a cycle too long to sweep, with what and how to fix', () => {
    const specs = [7919, 7907, 7901].map((every, k) =>
      instanceSpec(`p${k}-${k}`, { every, duration: 10, startWithin: 0 }),
    );
    expect(() =>
      checkPlacement(
        [node('x')],
        { horizon: 3600, instances: specs },
        specs.map((s) => ({ id: s.id, node: 'x', phase: 0 })),
      ),
    ).toThrow(CheckCycleError);
    expect(() =>
      checkPlacement(
        [node('x')],
        { horizon: 3600, instances: specs },
        specs.map((s) => ({ id: s.id, node: 'x', phase: 0 })),
      ),
    ).toThrow(
      /node x: the periods placed on it \(7901, 7907, 7919 s\) repeat together only every .*whole minutes or hours/,
    );
  });
});

function gcdOf(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
