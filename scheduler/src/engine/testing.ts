/**
 * Instance specs for the engine's and the simulator's tests: one place that spells every field, so a
 * new field of `InstanceSpec` is added once. Tests only (the import-direction test checks it).
 */
import type { InstanceSpec } from './instance.js';

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
