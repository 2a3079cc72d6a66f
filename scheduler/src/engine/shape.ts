/**
 * An instance compiled for the hot path: integer demands and the numbers the slot checks need.
 * Instances with equal shapes are interchangeable for time/resource feasibility, which lets the engine
 * remember "node n cannot take this shape" until something leaves node n.
 */
import type { InstanceSpec } from './instance.js';
import { demandUnits } from './units.js';

export interface Shape {
  every: number;
  duration: number;
  release: number;
  /** Largest k in (release + k) mod P. */
  kmax: number;
  run: [number, number, number];
  idle: [number, number, number];
  /** run − idle: what an active slot adds on top of the idle reservation. */
  delta: [number, number, number];
  exclusive: boolean;
  key: string;
  /**
   * Key of the same shape allowed to start at any phase. A node that cannot take that one cannot take
   * this one either (its allowed phases are a subset), so its "does not fit" verdicts and cursor apply.
   */
  anyPhaseKey: string;
}

export function compileShape(spec: InstanceSpec): Shape {
  const run = demandUnits(spec.run);
  const idle = demandUnits({ cpu: spec.idle.cpu, memory: spec.idle.memory, bandwidth: 0 });
  const delta: [number, number, number] = [run[0] - idle[0], run[1] - idle[1], run[2] - idle[2]];
  const kmax = Math.min(spec.startWithin, spec.every - 1);
  const release = ((spec.release % spec.every) + spec.every) % spec.every;
  return {
    every: spec.every,
    duration: spec.duration,
    release,
    kmax,
    run,
    idle,
    delta,
    exclusive: spec.exclusive,
    key: `${spec.every}/${spec.duration}/${release}/${kmax}/${run.join(',')}/${idle.join(',')}/${spec.exclusive ? 1 : 0}`,
    anyPhaseKey: `${spec.every}/${spec.duration}/0/${spec.every - 1}/${run.join(',')}/${idle.join(',')}/${spec.exclusive ? 1 : 0}`,
  };
}
